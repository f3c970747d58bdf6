package dev.pagoda.engine.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.testing.TestModels;
import dev.pagoda.engine.api.EngineState;
import dev.pagoda.engine.api.RequestStream;
import dev.pagoda.engine.backend.cuda.StepExecutor.RowSampling;
import dev.pagoda.engine.api.FinishReason;
import dev.pagoda.engine.runner.CudaModelRunner;
import dev.pagoda.engine.sample.SamplingParams;
import dev.pagoda.engine.telemetry.KvSnapshot.BlockState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Asynchronous scheduling end to end without a GPU: the engine drives {@link CudaModelRunner}
 * over {@link FakeDeviceExecutor}, which, like the GPU, feeds a step's pending tokens from the
 * previous step's sampled ids and checks the launch/await contract. Each workload runs with
 * {@code asyncScheduling} on and off; both must give every request the tokens its greedy chain
 * (computed here) prescribes, the same finish reasons, the same device seeds, and every block back.
 */
class AsyncSchedulingTest {

    private static Path folder;
    private static int vocab;

    @BeforeAll
    static void fixture(@TempDir Path tmp) {
        folder = EngineHarness.writeFixture(tmp);
        vocab = TestModels.tokenizer().size();
    }

    /** @param beforeAbort tokens of the first event of each aborted request (read before aborting it) */
    private record Run(Map<String, EngineHarness.Result> results, Map<String, List<Integer>> beforeAbort,
                       FakeDeviceExecutor device, EngineState end) {}

    private record Submission(String id, int[] prompt, SamplingParams params) {}

    private static Run run(boolean async, long kvBytes, List<Submission> work, List<String> abortAfterFirstToken)
            throws InterruptedException {
        FakeDeviceExecutor device = new FakeDeviceExecutor(vocab, 256);
        EngineConfig config = EngineHarness.config(folder).kvCacheMemoryBytes(kvBytes).asyncScheduling(async).build();
        Map<String, EngineHarness.Result> results = new LinkedHashMap<>();
        try (LocalEngine engine = EngineHarness.start(config, device.replacingCpuRunner())) {
            Map<String, RequestStream> streams = new LinkedHashMap<>();
            for (Submission s : work) streams.put(s.id(), engine.submit(EngineHarness.request(s.id(), s.prompt(), s.params())));
            Map<String, List<Integer>> beforeAbort = new LinkedHashMap<>();
            for (String id : abortAfterFirstToken) {
                var first = streams.get(id).poll(java.time.Duration.ofMinutes(1)); // the request is running
                List<Integer> tokens = new ArrayList<>();
                for (var d : first.deltas()) for (int t : d.tokenIds()) tokens.add(t);
                beforeAbort.put(id, tokens);
                engine.abort(id);
            }
            for (var e : streams.entrySet()) {
                int n = work.stream().filter(s -> s.id().equals(e.getKey())).findFirst().orElseThrow().params().n();
                results.put(e.getKey(), EngineHarness.collect(e.getValue(), n));
            }
            awaitIdle(engine);
            return new Run(results, beforeAbort, device, engine.state());
        }
    }

    private static void awaitIdle(LocalEngine engine) throws InterruptedException {
        for (int i = 0; i < 2000; i++) {
            EngineState s = engine.state();
            if (s.queues().running() == 0 && s.queues().waiting() == 0 && s.kvSnapshot().count(BlockState.HELD) == 0) return;
            Thread.sleep(5);
        }
    }

    private static int[] chain(int last, int n) {
        return FakeDeviceExecutor.chain(last, n, vocab);
    }

    /** A mix: device greedy, host-sampled (logprobs), n = 2, seeded temperature rows, stop token ids, length limits. */
    private static List<Submission> mixedWorkload(long seed) {
        Random rnd = new Random(seed);
        List<Submission> work = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int[] prompt = rnd.ints(1 + rnd.nextInt(40), 0, vocab).toArray();
            int maxTokens = 1 + rnd.nextInt(30);
            SamplingParams.Builder p = EngineHarness.greedy(maxTokens).toBuilder();
            switch (i % 5) {
                case 1 -> p.logprobs(1).maxTokens(Math.min(maxTokens, 4)); // host rows stop the overlap while they run
                case 2 -> p.n(2).temperature(0.7).seed(100L + i); // the fake takes the argmax; seeds still flow
                case 3 -> p.stopTokenIds(List.of(chain(prompt[prompt.length - 1], maxTokens)[rnd.nextInt(maxTokens)]));
                case 4 -> p.temperature(0.9).topP(0.8).seed(7L * i);
                default -> { }
            }
            work.add(new Submission("r" + i, prompt, p.build()));
        }
        return work;
    }

    private static void assertChains(List<Submission> work, Run run, String mode) {
        for (Submission s : work) {
            EngineHarness.Result r = run.results().get(s.id());
            int[] full = chain(s.prompt()[s.prompt().length - 1], s.params().maxTokens());
            for (int k = 0; k < s.params().n(); k++) {
                int[] got = r.tokens(k);
                int expectedLength = full.length;
                for (int i = 0; i < full.length; i++) {
                    if (s.params().stopTokenIds().contains(full[i])) {
                        expectedLength = i + 1;
                        break;
                    }
                }
                assertArrayEquals(Arrays.copyOf(full, expectedLength), got, mode + ": request " + s.id() + " sample " + k);
                // vLLM checks the length first: a stop token at max_tokens ends it by length
                FinishReason reason = expectedLength < full.length ? FinishReason.STOP : FinishReason.LENGTH;
                assertEquals(reason, r.reasons().get(k), mode + ": finish reason of " + s.id());
            }
        }
    }

    private static void assertEveryBlockBack(Run run, String mode) {
        var kv = run.end().kvSnapshot();
        assertEquals(0, kv.count(BlockState.HELD), mode + ": blocks still held");
        for (int b = 0; b < kv.numBlocks(); b++) assertEquals(0, kv.refCount(b), mode + ": block " + b + " still referenced");
    }

    private static List<String> describe(List<dev.pagoda.engine.api.TokenLogprobs> logprobs) {
        return logprobs.stream().map(l -> l.logprob() + " " + Arrays.toString(l.topTokenIds()) + " " + Arrays.toString(l.topLogprobs())).toList();
    }

    @Test
    void asyncStepsOverlapAndGiveTheTokensOfSynchronousSteps() throws InterruptedException {
        List<Submission> work = mixedWorkload(11);
        Run async = run(true, 1L << 20, work, List.of());
        Run sync = run(false, 1L << 20, work, List.of());
        assertChains(work, async, "async");
        assertChains(work, sync, "sync");
        assertEveryBlockBack(async, "async");
        assertEveryBlockBack(sync, "sync");
        assertEquals(2, async.device().maxOutstanding, "async: a step was launched while the previous one was outstanding");
        assertTrue(async.device().fedTokens > 100, "async: decode inputs came from the device, got " + async.device().fedTokens);
        assertEquals(1, sync.device().maxOutstanding, "sync: one step at a time");
        assertEquals(0, sync.device().fedTokens, "sync: every input token known on the host");
        for (Submission s : work) {
            EngineHarness.Result a = async.results().get(s.id());
            EngineHarness.Result b = sync.results().get(s.id());
            assertEquals(b.texts(), a.texts(), "text of " + s.id());
            assertEquals(describe(b.logprobs()), describe(a.logprobs()), "logprobs of " + s.id());
        }
    }

    @Test
    void seededDeviceRowsDrawTheSameSeedsAndCountersEitherWay() throws InterruptedException {
        // only this request samples at temperature 0.55: its rows are picked out of every step
        SamplingParams seeded = SamplingParams.builder().temperature(0.55).seed(1234L).maxTokens(25).ignoreEos(true).build();
        List<Submission> work = new ArrayList<>(mixedWorkload(5));
        work.add(new Submission("seeded", new int[] {3, 1, 4, 1, 5}, seeded));
        List<List<Long>> draws = new ArrayList<>();
        for (boolean async : new boolean[] {true, false}) {
            Run run = run(async, 1L << 20, work, List.of());
            List<Long> mine = new ArrayList<>();
            for (RowSampling[] step : run.device().seen) {
                for (RowSampling r : step) if (r.temperature() == 0.55f) { mine.add(r.seed()); mine.add((long) r.counter()); }
            }
            draws.add(mine);
        }
        assertEquals(50, draws.get(1).size(), "25 draws, seed and counter each");
        assertEquals(draws.get(1), draws.get(0), "seeds and counters of the seeded request, async vs sync");
    }

    @Test
    void preemptionAndAbortsInFlightLoseNothing() throws InterruptedException {
        List<Submission> work = new ArrayList<>();
        Random rnd = new Random(3);
        for (int i = 0; i < 24; i++) {
            work.add(new Submission("p" + i, rnd.ints(10 + rnd.nextInt(30), 0, vocab).toArray(), EngineHarness.greedy(40 + rnd.nextInt(40))));
        }
        List<String> aborted = List.of("p2", "p9", "p17");
        long tinyPool = 16L * 8192; // 16 blocks of 16 tokens for 24 requests of up to ~120 tokens: preemption is certain
        Run async = run(true, tinyPool, work, aborted);
        assertTrue(async.end().totals().preemptions() > 0, "the pool forced preemptions");
        assertEquals(2, async.device().maxOutstanding);
        assertEveryBlockBack(async, "async with preemption");
        for (Submission s : work) {
            EngineHarness.Result r = async.results().get(s.id());
            int[] full = chain(s.prompt()[s.prompt().length - 1], s.params().maxTokens());
            if (aborted.contains(s.id())) {
                assertEquals(FinishReason.ABORT, r.reasons().get(0), s.id());
                List<Integer> all = new ArrayList<>(async.beforeAbort().get(s.id()));
                for (int t : r.tokens(0)) all.add(t);
                int[] got = all.stream().mapToInt(Integer::intValue).toArray();
                assertArrayEquals(Arrays.copyOf(full, got.length), got, "tokens before the abort of " + s.id());
            } else {
                assertArrayEquals(full, r.tokens(0), "request " + s.id() + " after preemptions");
                assertEquals(FinishReason.LENGTH, r.reasons().get(0), s.id());
            }
        }
    }
}
