package dev.pagoda.engine.core;

import dev.pagoda.catalog.tokenizer.Tokenizer;
import dev.pagoda.engine.api.EngineState;
import dev.pagoda.engine.api.EngineTotals;
import dev.pagoda.engine.api.GenerationRequest;
import dev.pagoda.engine.request.Request;
import dev.pagoda.engine.request.RequestOutput;
import dev.pagoda.engine.request.RequestStatus;
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
        return scheduler.hasUnfinishedRequests();
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

    /** Runs one iteration; with nothing to do it is an empty step (pause/step still counts it). */
    StepStats step() {
        long start = System.nanoTime();
        SchedulerOutput step;
        try {
            step = scheduler.schedule();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "scheduling failed; failing every request", e);
            failGroups(List.copyOf(groupIdsOfAll()), "engine error while scheduling: " + e);
            return lastStep;
        }
        for (ScheduledSequence s : step.sequences()) outputs.scheduled(s.requestId(), start);
        ModelRunnerOutput result;
        try {
            result = runner.execute(step); // even when empty: it carries the finished ids whose state the runner drops
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "step " + step.stepIndex() + " failed; failing its requests", e);
            result = failingEverySequence(step, "engine error in step " + step.stepIndex() + ": " + e);
        }
        try {
            List<RequestOutput> produced = scheduler.update(step, result);
            for (RequestOutput o : produced) totals.generationTokens += o.newTokenIds().length;
            outputs.process(produced, System.nanoTime());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "updating step " + step.stepIndex() + " failed; failing its requests", e);
            failGroups(groupIdsOf(step), "engine error after step " + step.stepIndex() + ": " + e);
        }
        lastStep = scheduler.stepStats(step, System.nanoTime() - start);
        totals.steps++;
        totals.promptTokens += lastStep.prefillTokens();
        totals.preemptions += step.preemptions();
        totals.prefixQueries += step.prefixCache().queryTokens();
        totals.prefixHits += step.prefixCache().hitTokens();
        return lastStep;
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

    private static ModelRunnerOutput failingEverySequence(SchedulerOutput step, String message) {
        Map<String, String> failed = new LinkedHashMap<>();
        for (ScheduledSequence s : step.sequences()) failed.put(s.requestId(), message);
        return new ModelRunnerOutput(Map.of(), failed);
    }

    private static List<String> groupIdsOf(SchedulerOutput step) {
        Set<String> ids = new LinkedHashSet<>();
        for (ScheduledSequence s : step.sequences()) ids.add(RequestGroup.groupIdOf(s.requestId()));
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
                String sequence = i == 0 ? id : id + "#" + i;
                scheduler.finishRequest(sequence, RequestStatus.FINISHED_ERROR).ifPresent(ended::add);
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
        runner.close();
    }
}
