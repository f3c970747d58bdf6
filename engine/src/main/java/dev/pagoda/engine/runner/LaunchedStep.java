package dev.pagoda.engine.runner;

import dev.pagoda.engine.sched.ModelRunnerOutput;

/**
 * A step handed to a backend, finished or still running on a device.
 *
 * <p>{@link #feedsForward()}: every token this step samples stays where the next step reads its
 * input (on the device), so the engine may schedule and launch the next step before this one's
 * tokens reach the host — vLLM's asynchronous scheduling. A step whose tokens the host samples
 * (logprobs, penalties …) does not: the next step needs them first.
 */
public interface LaunchedStep {

    boolean feedsForward();

    /** Waits for the step; later calls return the same output. */
    ModelRunnerOutput await();

    /** A step already executed. */
    static LaunchedStep completed(ModelRunnerOutput output) {
        return new LaunchedStep() {
            @Override
            public boolean feedsForward() {
                return false;
            }

            @Override
            public ModelRunnerOutput await() {
                return output;
            }
        };
    }
}
