package dev.pagoda.engine.sched;

import dev.pagoda.engine.request.Request;
import dev.pagoda.engine.request.RequestOutput;
import dev.pagoda.engine.sample.SamplingParams;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/** Runs a scheduler against the fake model, collecting each sequence's outputs. */
final class Driver {

    final Scheduler scheduler;
    final FakePagedModel model;
    final Map<String, List<Integer>> tokens = new HashMap<>();
    final Map<String, RequestOutput.Finish> finishes = new HashMap<>();
    final Map<String, Request> submitted = new HashMap<>();
    int steps;
    int preemptions;
    long prefixHitTokens;
    private long clock;
    /** Priority given to each submitted request (PRIORITY policy); 0 for all by default. */
    java.util.function.ToIntFunction<String> priorities = id -> 0;

    Driver(SchedulerConfig config) {
        this.scheduler = new Scheduler(config);
        this.model = new FakePagedModel(config.numBlocks(), config.blockSize());
    }

    Request submit(String id, int[] prompt, SamplingParams params) {
        Request r = new Request(id, prompt, params, new int[] {FakePagedModel.EOS}, clock++, priorities.applyAsInt(id));
        scheduler.addRequest(r);
        submitted.put(id, r);
        return r;
    }

    /** One engine iteration; {@code afterSchedule} may inspect the step before the model runs. */
    SchedulerOutput step(Consumer<SchedulerOutput> afterSchedule) {
        SchedulerOutput out = scheduler.schedule();
        afterSchedule.accept(out);
        collect(scheduler.update(out, model.execute(out)));
        steps++;
        preemptions += out.preemptions();
        prefixHitTokens += out.prefixCache().hitTokens();
        return out;
    }

    SchedulerOutput step() {
        return step(o -> {});
    }

    void collect(List<RequestOutput> outputs) {
        for (RequestOutput o : outputs) {
            List<Integer> list = tokens.computeIfAbsent(o.sequence().toString(), k -> new ArrayList<>());
            for (int t : o.newTokenIds()) list.add(t);
            if (o.finished()) finishes.put(o.sequence().toString(), o.finish());
        }
    }

    void runToCompletion(int maxSteps) {
        while (scheduler.hasUnfinishedRequests()) {
            if (steps >= maxSteps) throw new AssertionError("not finished after " + maxSteps + " steps");
            step();
        }
    }

    int[] output(String id) {
        return tokens.getOrDefault(id, List.of()).stream().mapToInt(Integer::intValue).toArray();
    }

    static int[] randomTokens(Random rnd, int length) {
        int[] t = new int[length];
        // avoid EOS inside prompts only for readability; the model treats prompt tokens alike
        for (int i = 0; i < length; i++) t[i] = 1 + rnd.nextInt(FakePagedModel.VOCAB - 1);
        return t;
    }

    static SchedulerConfig config(int blockSize, int numBlocks, int maxNumBatchedTokens, boolean prefixCaching) {
        return new SchedulerConfig(256, maxNumBatchedTokens, 4096, blockSize, numBlocks, prefixCaching,
                true, 0, 10_000, SchedulingPolicy.FCFS);
    }
}
