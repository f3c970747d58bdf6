package dev.pagoda.engine.core;

import dev.pagoda.catalog.tokenizer.Tokenizer;
import dev.pagoda.engine.api.EngineState;
import dev.pagoda.engine.api.EngineTotals;
import dev.pagoda.engine.api.GenerationRequest;
import dev.pagoda.engine.request.Request;
import dev.pagoda.engine.request.RequestOutput;
import dev.pagoda.engine.request.RequestStatus;
import dev.pagoda.engine.request.SequenceId;
import dev.pagoda.engine.runner.LaunchedStep;
import dev.pagoda.engine.runner.ModelRunner;
import dev.pagoda.engine.sched.ModelRunnerOutput;
import dev.pagoda.engine.sched.ScheduledSequence;
import dev.pagoda.engine.sched.Scheduler;
import dev.pagoda.engine.sched.SchedulerOutput;
import dev.pagoda.engine.telemetry.KvSnapshot;
import dev.pagoda.engine.telemetry.StepStats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One engine iteration and the request bookkeeping around it, on the engine thread only:
 *
 * <pre>
 *   schedule() -> SchedulerOutput -> runner.execute -> ModelRunnerOutput -> scheduler.update
 *              -> RequestOutputs -> OutputProcessor (text, stop strings) -> StreamEvents
 * </pre>
 *
 * With a backend that keeps sampled tokens on its device ({@link LaunchedStep#feedsForward()}),
 * the loop is asynchronous, as vLLM V1's: step N+1 is scheduled and launched while step N runs,
 * then step N's tokens are applied and its text produced while N+1 runs, so the device is never
 * left waiting for the host's bookkeeping:
 *
 * <pre>
 *   host:   schedule N+1 | launch N+1 | await N, update N, outputs N | schedule N+2 | launch N+2 | await N+1 …
 *   device: ……… step N ……………………………………| step N+1 ………………………………………………………………………………| step N+2 …
 * </pre>
 *
 * A failure the runner ties to one request ends that request only. Any other exception in a step
 * fails the requests of that step (their blocks go back) and the next step carries on with the
 * rest: the engine thread never dies of a bad step.
 */
final class EngineCore implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(EngineCore.class.getName());

    /** A request accepted by {@code submit}, waiting for the engine thread. */
    record Submission(GenerationRequest request, LocalRequestStream stream, long arrivedNanos) {}

    private final Scheduler scheduler;
    private final ModelRunner runner;
    private final Tokenizer tokenizer; // null: token ids only
    private final int[] eosTokenIds;
    private final OutputProcessor outputs;
    private final Totals totals = new Totals();
    private StepStats lastStep;
    private Launched inFlight; // launched and still running: its tokens are applied next iteration
    private long lastCompletionNanos;

    /** A step handed to the runner, and when it was scheduled. */
    private record Launched(SchedulerOutput step, LaunchedStep run, long scheduledNanos) {}

    /** Mutable counterparts of {@link EngineTotals}. */
    private static final class Totals {
        long steps, promptTokens, generationTokens, preemptions, prefixQueries, prefixHits;
        long stop, length, abort, error;

        EngineTotals snapshot() {
            return new EngineTotals(steps, promptTokens, generationTokens, preemptions, prefixQueries, prefixHits,
                    stop, length, abort, error);
        }

        void finished(RequestGroup g) {
            switch (g.overallReason()) {
                case STOP -> stop++;
                case LENGTH -> length++;
                case ABORT -> abort++;
                case ERROR -> error++;
            }
        }
    }

    EngineCore(Scheduler scheduler, ModelRunner runner, Tokenizer tokenizer, int[] eosTokenIds) {
        this.scheduler = scheduler;
        this.runner = runner;
        this.tokenizer = tokenizer;
        this.eosTokenIds = eosTokenIds.clone();
        this.outputs = new OutputProcessor(scheduler, totals::finished);
    }

    Scheduler scheduler() {
        return scheduler;
    }

    boolean hasWork() {
        return inFlight != null || scheduler.hasUnfinishedRequests();
    }

    void add(Submission s) {
        GenerationRequest r = s.request();
        RequestGroup group = new RequestGroup(r.requestId(), s.stream(), r.params(), r.promptTokenIds().length,
                s.arrivedNanos(), tokenizer);
        try {
            scheduler.addRequest(new Request(r.requestId(), r.promptTokenIds(), r.params(), eosTokenIds, s.arrivedNanos(),
                    r.priority()));
            outputs.add(group);
        } catch (RuntimeException e) { // limits only the scheduler knows now (queue full after a race, blocks)
            outputs.fail(group, e.getMessage(), System.nanoTime());
        }
    }

    /** Ends a request (all its samples) wherever it is. Unknown or finished ids are ignored. */
    void abort(String requestId) {
        if (outputs.group(requestId) == null) return;
        outputs.process(scheduler.abort(requestId), System.nanoTime());
    }

    void abortAll() {
        for (RequestGroup g : outputs.groups()) abort(g.id);
    }

    /**
     * Runs one iteration; with nothing to do it is an empty step (pause/step still counts it).
     *
     * @param overlap leave the launched step running when the backend allows (false: every step
     *                is complete when this returns, as single-stepping a paused engine needs)
     */
    StepStats step(boolean overlap) {
        long start = System.nanoTime();
        SchedulerOutput step;
        try {
            step = scheduler.schedule();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "scheduling failed; failing every request", e);
            completeInFlight();
            failGroups(List.copyOf(groupIdsOfAll()), "engine error while scheduling: " + e);
            return lastStep;
        }
        for (ScheduledSequence s : step.sequences()) outputs.scheduled(s.id(), start);
        Launched launched = new Launched(step, launch(step), start);
        boolean reported = completeInFlight(); // the previous step's outputs are made while this one runs
        if (overlap && launched.run().feedsForward()) {
            inFlight = launched;
        } else {
            complete(launched, reported && step.isEmpty());
        }
        return lastStep;
    }

    boolean hasStepInFlight() {
        return inFlight != null;
    }

    /** Completes the step left running, if any (pausing shows every launched step applied). */
    StepStats finishInFlight() {
        completeInFlight();
        return lastStep;
    }

    private LaunchedStep launch(SchedulerOutput step) {
        try {
            return runner.launch(step); // even when empty: it carries the finished ids whose state the runner drops
        } catch (RuntimeException e) {
            return LaunchedStep.completed(failingEverySequence(step, e));
        }
    }

    /** Completes the step left running by the previous iteration; true when there was one. */
    private boolean completeInFlight() {
        if (inFlight == null) return false;
        Launched l = inFlight;
        inFlight = null;
        complete(l, false);
        return true;
    }

    /**
     * Waits for a launched step, applies its tokens and produces its outputs.
     *
     * @param quiet an empty step right after a real one: applied, but the telemetry keeps the real one
     */
    private void complete(Launched l, boolean quiet) {
        SchedulerOutput step = l.step();
        ModelRunnerOutput result;
        try {
            result = l.run().await();
        } catch (RuntimeException e) {
            result = failingEverySequence(step, e);
        }
        try {
            List<RequestOutput> produced = scheduler.update(step, result);
            for (RequestOutput o : produced) totals.generationTokens += o.newTokenIds().length;
            outputs.process(produced, System.nanoTime());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "updating step " + step.stepIndex() + " failed; failing its requests", e);
            failGroups(groupIdsOf(step), "engine error after step " + step.stepIndex() + ": " + e);
        }
        if (quiet) return;
        long now = System.nanoTime();
        // an overlapped step's time is from the previous step's end: the wall time per token
        lastStep = scheduler.stepStats(step, now - Math.max(l.scheduledNanos(), lastCompletionNanos));
        lastCompletionNanos = now;
        totals.steps++;
        totals.promptTokens += lastStep.prefillTokens();
        totals.preemptions += step.preemptions();
        totals.prefixQueries += step.prefixCache().queryTokens();
        totals.prefixHits += step.prefixCache().hitTokens();
    }

    EngineState state() {
        return state(kvSnapshot());
    }

    /** The state with a KV snapshot built earlier (the snapshot is the expensive part). */
    EngineState state(KvSnapshot kv) {
        return new EngineState(lastStep, kv, totals.snapshot(), scheduler.queueCounts());
    }

    KvSnapshot kvSnapshot() {
        return scheduler.kvSnapshot();
    }

    /** The runner failed the whole step (launching it or waiting for it): every sequence of it fails with the reason. */
    private static ModelRunnerOutput failingEverySequence(SchedulerOutput step, RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "step " + step.stepIndex() + " failed; failing its requests", e);
        String message = "engine error in step " + step.stepIndex() + ": " + e;
        Map<SequenceId, String> failed = new LinkedHashMap<>();
        for (ScheduledSequence s : step.sequences()) failed.put(s.id(), message);
        return new ModelRunnerOutput(Map.of(), failed);
    }

    private static List<String> groupIdsOf(SchedulerOutput step) {
        Set<String> ids = new LinkedHashSet<>();
        for (ScheduledSequence s : step.sequences()) ids.add(s.id().requestId());
        return List.copyOf(ids);
    }

    private List<String> groupIdsOfAll() {
        List<String> ids = new ArrayList<>();
        for (RequestGroup g : outputs.groups()) ids.add(g.id);
        return ids;
    }

    /** Ends whole requests with an error after a failure no single request caused; their blocks go back. */
    private void failGroups(List<String> groupIds, String message) {
        for (String id : groupIds) {
            RequestGroup g = outputs.group(id);
            if (g == null) continue;
            g.error = message;
            List<RequestOutput> ended = new ArrayList<>();
            for (int i = 0; i < g.samples.length; i++) {
                scheduler.finishRequest(new SequenceId(id, i), RequestStatus.FINISHED_ERROR).ifPresent(ended::add);
            }
            try {
                outputs.process(ended, System.nanoTime());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "could not report the failure of request " + id, e);
            }
            if (outputs.group(id) != null) outputs.fail(g, message, System.nanoTime()); // unforked samples
        }
    }

    @Override
    public void close() {
        abortAll();
        try {
            completeInFlight(); // the device may still write buffers the runner is about to free
        } finally {
            runner.close();
        }
    }
}
