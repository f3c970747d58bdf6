package dev.pagoda.engine.runner;

import dev.pagoda.engine.sched.ModelRunnerOutput;
import dev.pagoda.engine.sched.SchedulerOutput;

/**
 * Executes one scheduled step on a backend: computes the K/V of every scheduled token, samples
 * the sequences that reached their last token and returns what was sampled. It sees only token
 * ids, positions, block tables and slots; the scheduler owns which blocks are whose.
 *
 * <p>Failures tied to one request (a bad token id, a NaN row) are reported in
 * {@link ModelRunnerOutput#failed()} so that the other requests of the step carry on; an
 * exception means the whole step failed.
 */
public interface ModelRunner extends AutoCloseable {

    ModelRunnerOutput execute(SchedulerOutput step);

    /**
     * Starts a step; a backend that can leaves it running and returns at once. The default runs
     * it to completion. Steps are launched and awaited in schedule order, at most two outstanding.
     */
    default LaunchedStep launch(SchedulerOutput step) {
        return LaunchedStep.completed(execute(step));
    }

    @Override
    void close();
}
