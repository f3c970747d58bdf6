package dev.pagoda.engine.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.engine.request.SequenceId;
import dev.pagoda.catalog.testing.TestModels;
import dev.pagoda.engine.api.InvalidRequestException;
import dev.pagoda.engine.api.RequestStream;
import dev.pagoda.engine.api.StreamEvent;
import dev.pagoda.engine.api.FinishReason;
import dev.pagoda.engine.runner.ModelRunner;
import dev.pagoda.engine.sample.InvalidSamplingParamsException;
import dev.pagoda.engine.sample.SamplingParams;
import dev.pagoda.engine.sched.ModelRunnerOutput;
import dev.pagoda.engine.sched.ScheduledSequence;
import dev.pagoda.engine.sched.SchedulerOutput;
import dev.pagoda.engine.telemetry.KvSnapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stops, parallel sampling, failures, accounting and the pause/step controls of {@link LocalEngine}. */
class LocalEngineBehaviourTest {

    private static Path folder;
    private static final int VOCAB = TestModels.tokenizer().size();

    @BeforeAll
    static void setUp(@TempDir Path tmp) {
        folder = EngineHarness.writeFixture(tmp);
    }

    private static int[] prompt(long seed, int length) {
        return new Random(seed).ints(length, 0, VOCAB).toArray();
    }

    /** Fails the sequences of requests whose id starts with "fail" (as a runner reports a bad row), and throws on demand. */
    private static final class FaultyRunner implements ModelRunner {
        final ModelRunner delegate;
        volatile boolean throwNextStep;

        FaultyRunner(ModelRunner delegate) {
            this.delegate = delegate;
        }

        @Override
        public ModelRunnerOutput execute(SchedulerOutput step) {
            if (throwNextStep && !step.isEmpty()) {
                throwNextStep = false;
                throw new IllegalStateException("injected step failure");
            }
            ModelRunnerOutput out = delegate.execute(step);
            Map<SequenceId, String> failed = new HashMap<>(out.failed());
            Map<SequenceId, dev.pagoda.engine.sample.SampledToken> sampled = new HashMap<>(out.sampled());
            for (ScheduledSequence s : step.sequences()) {
                if (s.id().requestId().startsWith("fail")) {
                    failed.put(s.id(), "injected failure of " + s.id());
                    sampled.remove(s.id());
                }
            }
            return new ModelRunnerOutput(sampled, failed);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    private static void assertAllBlocksBack(LocalEngine engine) {
        engine.pause();
        engine.step(); // an iteration after the last event: the published state includes every abort and finish
        KvSnapshot kv = engine.state().kvSnapshot();
        assertEquals(kv.numBlocks(), kv.count(KvSnapshot.BlockState.FREE) + kv.count(KvSnapshot.BlockState.CACHED_FREE), kv.toString());
        for (int b = 0; b < kv.numBlocks(); b++) assertEquals(0, kv.refCount(b), "block " + b);
        engine.resume();
    }

    @Test
    void stopStringsCutTheTextExactlyAndStopTokensAndLengthEndWithTheirReasons() throws InterruptedException {
        int[] p = prompt(1, 12);
        try (LocalEngine engine = EngineHarness.start(EngineHarness.config(folder).build())) {
            EngineHarness.Result full = EngineHarness.collect(engine.submit(EngineHarness.request("full", p, EngineHarness.greedy(24))), 1);
            assertEquals(FinishReason.LENGTH, full.reasons().get(0));
            assertEquals(24, full.tokens(0).length);
            String text = full.texts().get(0);
            assertEquals(engine.model().tokenizer().orElseThrow().decode(full.tokens(0), true), text, "streamed text = decode of all tokens");

            String stop = text.substring(text.length() / 2, text.length() / 2 + 2);
            EngineHarness.Result cut = EngineHarness.collect(engine.submit(EngineHarness.request("cut", p,
                    EngineHarness.greedy(24).toBuilder().stop(List.of(stop)).build())), 1);
            assertEquals(text.substring(0, text.indexOf(stop)), cut.texts().get(0));
            assertEquals(FinishReason.STOP, cut.reasons().get(0));
            assertEquals(stop, cut.stopReasons().get(0));

            int[] tokens = full.tokens(0);
            int stopId = tokens[5];
            int first = 0;
            while (tokens[first] != stopId) first++;
            EngineHarness.Result byId = EngineHarness.collect(engine.submit(EngineHarness.request("id", p,
                    EngineHarness.greedy(24).toBuilder().stopTokenIds(List.of(stopId)).build())), 1);
            assertArrayEquals(java.util.Arrays.copyOf(tokens, first + 1), byId.tokens(0));
            assertEquals(FinishReason.STOP, byId.reasons().get(0));
            assertEquals(stopId, byId.stopReasons().get(0));

            EngineHarness.Result shortRun = EngineHarness.collect(engine.submit(EngineHarness.request("len", p, EngineHarness.greedy(3))), 1);
            assertArrayEquals(java.util.Arrays.copyOf(tokens, 3), shortRun.tokens(0));
            assertEquals(FinishReason.LENGTH, shortRun.reasons().get(0));
            StreamEvent last = shortRun.last();
            assertEquals(new dev.pagoda.engine.api.Usage(12, 3, 0), last.usage());
            assertTrue(last.timings().timeToFirstTokenSeconds() >= last.timings().queueSeconds());

            // max_tokens null runs to the context: 128 - 12 tokens
            EngineHarness.Result unbounded = EngineHarness.collect(engine.submit(EngineHarness.request("ctx", p,
                    EngineHarness.greedy(1).toBuilder().maxTokens(null).build())), 1);
            assertEquals(128 - 12, unbounded.tokens(0).length);
            assertEquals(FinishReason.LENGTH, unbounded.reasons().get(0));
        }
    }

    @Test
    void badRequestsFailAloneWithClearMessagesWhileOthersComplete() throws InterruptedException {
        FaultyRunner[] runner = new FaultyRunner[1];
        UnaryOperator<ModelRunner> wrap = r -> runner[0] = new FaultyRunner(r);
        int[] p = prompt(2, 9);
        int[] expected;
        try (LocalEngine alone = EngineHarness.start(EngineHarness.config(folder).build())) {
            expected = EngineHarness.collect(alone.submit(EngineHarness.request("a", p, EngineHarness.greedy(8))), 1).tokens(0);
        }
        try (LocalEngine engine = EngineHarness.start(EngineHarness.config(folder).build(), wrap)) {
            var outOfVocab = assertThrows(InvalidRequestException.class,
                    () -> engine.submit(EngineHarness.request("x", new int[] {1, VOCAB}, EngineHarness.greedy(4))));
            assertTrue(outOfVocab.getMessage().contains("outside the vocabulary"), outOfVocab.getMessage());
            assertEquals("prompt", outOfVocab.parameter());
            assertThrows(InvalidRequestException.class, () -> engine.submit(EngineHarness.request("e", new int[0], EngineHarness.greedy(4))));
            assertThrows(InvalidRequestException.class, () -> engine.submit(EngineHarness.request("l", prompt(3, 128), EngineHarness.greedy(4))));
            var topP = assertThrows(InvalidSamplingParamsException.class, () -> engine.submit(EngineHarness.request("t", p,
                    EngineHarness.greedy(4).toBuilder().topP(0).build())));
            assertEquals("top_p", topP.parameter());

            engine.pause();
            List<RequestStream> good = new ArrayList<>();
            for (int i = 0; i < 3; i++) good.add(engine.submit(EngineHarness.request("good" + i, p, EngineHarness.greedy(8))));
            RequestStream bad = engine.submit(EngineHarness.request("fail-1", prompt(4, 7), EngineHarness.greedy(8)));
            assertThrows(InvalidRequestException.class, () -> engine.submit(EngineHarness.request("good0", p, EngineHarness.greedy(8))));
            engine.resume();
            EngineHarness.Result failed = EngineHarness.collect(bad, 1);
            assertEquals(FinishReason.ERROR, failed.reasons().get(0));
            assertEquals("injected failure of fail-1", failed.last().error());
            for (RequestStream s : good) assertArrayEquals(expected, EngineHarness.collect(s, 1).tokens(0));

            // A whole step failing fails its requests; the engine serves the next one.
            runner[0].throwNextStep = true;
            EngineHarness.Result stepFailed = EngineHarness.collect(engine.submit(EngineHarness.request("s", p, EngineHarness.greedy(8))), 1);
            assertEquals(FinishReason.ERROR, stepFailed.reasons().get(0));
            assertTrue(stepFailed.last().error().contains("injected step failure"), stepFailed.last().error());
            assertArrayEquals(expected, EngineHarness.collect(engine.submit(EngineHarness.request("after", p, EngineHarness.greedy(8))), 1).tokens(0));
            assertEquals(2, engine.state().totals().finishedError());
            assertAllBlocksBack(engine);
        }
    }

    @Test
    void afterFinishedAbortedAndFailedRequestsEveryBlockIsBackAndTheEngineServes() throws InterruptedException {
        long blocks = 24L * 2 * TestModels.LAYERS * TestModels.KV_HEADS * TestModels.HEAD_DIM * Float.BYTES * 8;
        EngineConfig config = EngineHarness.config(folder).maxModelLen(64).blockSize(8).kvCacheMemoryBytes(blocks).build();
        Random random = new Random(5);
        try (LocalEngine engine = EngineHarness.start(config, FaultyRunner::new)) {
            for (int round = 0; round < 3; round++) {
                List<RequestStream> finishing = new ArrayList<>();
                List<RequestStream> aborting = new ArrayList<>();
                List<RequestStream> failing = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    int[] p = random.ints(1 + random.nextInt(30), 0, VOCAB).toArray();
                    SamplingParams params = EngineHarness.greedy(4 + random.nextInt(20)).toBuilder().n(1 + random.nextInt(2)).build();
                    String id = switch (i % 3) {
                        case 0 -> "done-" + round + "-" + i;
                        case 1 -> "abort-" + round + "-" + i;
                        default -> "fail-" + round + "-" + i;
                    };
                    RequestStream s = engine.submit(EngineHarness.request(id, p, params));
                    (i % 3 == 0 ? finishing : i % 3 == 1 ? aborting : failing).add(s);
                }
                for (RequestStream s : aborting) {
                    s.next(); // mid-stream (or its first event), then the client goes away
                    s.close();
                }
                for (RequestStream s : finishing) assertNull(EngineHarness.collect(s, 2).last().error());
                for (RequestStream s : failing) assertEquals(FinishReason.ERROR, EngineHarness.collect(s, 2).reasons().get(0));
                for (RequestStream s : aborting) {
                    StreamEvent e;
                    while ((e = s.poll(java.time.Duration.ofMinutes(1))) != null && !e.finished()) { /* drain */ }
                }
                assertAllBlocksBack(engine);
            }
            EngineHarness.Result fresh = EngineHarness.collect(engine.submit(EngineHarness.request("fresh", prompt(6, 10), EngineHarness.greedy(5))), 1);
            assertEquals(5, fresh.tokens(0).length);
            assertTrue(engine.state().totals().finishedAbort() > 0, engine.state().totals().toString());
        }
    }

    @Test
    void parallelSamplingSharesThePromptBlocksAndASeedReproducesTheSamples() throws InterruptedException {
        int[] p = prompt(7, 40); // 39 tokens computed before the fork: blocks of 16, 16 and 7 tokens
        SamplingParams params = SamplingParams.builder().n(4).temperature(1.0).seed(42L).maxTokens(12).ignoreEos(true).build();
        List<List<Integer>> first;
        try (LocalEngine engine = EngineHarness.start(EngineHarness.config(folder).build())) {
            engine.pause();
            RequestStream stream = engine.submit(EngineHarness.request("n4", p, params));
            int shared = 0;
            for (int i = 0; i < 4 && shared == 0; i++) {
                engine.step();
                KvSnapshot kv = engine.state().kvSnapshot();
                for (int b = 0; b < kv.numBlocks(); b++) if (kv.refCount(b) == 4) shared++;
            }
            // Right after the fork all three prompt blocks are held once, by all four samples; the
            // partial third is copied on write when each sample computes the last prompt token.
            assertEquals(3, shared, "prompt blocks with ref count 4 after the fork");
            engine.resume();
            EngineHarness.Result r = EngineHarness.collect(stream, 4);
            first = r.tokens();
            Set<List<Integer>> distinct = new HashSet<>(first);
            assertEquals(4, distinct.size(), "four different samples: " + first);
            assertEquals(new dev.pagoda.engine.api.Usage(40, 48, 0), r.last().usage());
        }
        try (LocalEngine engine = EngineHarness.start(EngineHarness.config(folder).build())) {
            List<RequestStream> noise = new ArrayList<>();
            for (int i = 0; i < 3; i++) noise.add(engine.submit(EngineHarness.request("noise" + i, prompt(20 + i, 15),
                    SamplingParams.builder().temperature(1.0).maxTokens(10).build())));
            assertEquals(first, EngineHarness.collect(engine.submit(EngineHarness.request("again", p, params)), 4).tokens());
            for (RequestStream s : noise) EngineHarness.collect(s, 1);
        }
    }

    @Test
    void usageCountsPrefixCacheHitsAndAClosedEngineRefusesRequests() throws InterruptedException {
        int[] first = prompt(9, 40);
        int[] second = java.util.Arrays.copyOf(first, 45);
        for (int i = 40; i < 45; i++) second[i] = i;
        LocalEngine engine = EngineHarness.start(EngineHarness.config(folder).build());
        try {
            assertEquals(0, EngineHarness.collect(engine.submit(EngineHarness.request("a", first, EngineHarness.greedy(4))), 1)
                    .last().usage().cachedTokens());
            // the first 32 tokens are two full blocks of 16 already in the cache
            assertEquals(new dev.pagoda.engine.api.Usage(45, 4, 32),
                    EngineHarness.collect(engine.submit(EngineHarness.request("b", second, EngineHarness.greedy(4))), 1).last().usage());
        } finally {
            engine.close();
        }
        assertThrows(IllegalStateException.class, () -> engine.submit(EngineHarness.request("late", first, EngineHarness.greedy(4))));
    }

    @Test
    void aFullWaitingQueueRefusesInTheCallersThread() throws InterruptedException {
        try (LocalEngine engine = EngineHarness.start(EngineHarness.config(folder).maxWaitingRequests(2).build())) {
            engine.pause();
            RequestStream a = engine.submit(EngineHarness.request("a", prompt(11, 6), EngineHarness.greedy(2)));
            RequestStream b = engine.submit(EngineHarness.request("b", prompt(12, 6), EngineHarness.greedy(2)));
            var full = assertThrows(dev.pagoda.engine.api.QueueFullException.class,
                    () -> engine.submit(EngineHarness.request("c", prompt(13, 6), EngineHarness.greedy(2))));
            assertTrue(full.getMessage().contains("maxWaitingRequests = 2"), full.getMessage());
            engine.resume();
            assertEquals(2, EngineHarness.collect(a, 1).tokens(0).length);
            assertEquals(2, EngineHarness.collect(b, 1).tokens(0).length);
            assertEquals(2, EngineHarness.collect(engine.submit(EngineHarness.request("c", prompt(13, 6), EngineHarness.greedy(2))), 1)
                    .tokens(0).length);
        }
    }

    @Test
    void startLoadsTheModelItselfAndDummyWeightsKeepTheFoldersTokenizer() throws InterruptedException {
        EngineConfig config = EngineHarness.config(folder).loadFormat(dev.pagoda.engine.load.LoadFormat.DUMMY)
                .servedModelName("tiny").build();
        try (LocalEngine engine = LocalEngine.start(config)) {
            assertEquals("tiny", engine.model().servedName());
            assertEquals("F32", engine.model().weightDtype()); // dtype auto: the config's float32
            assertTrue(engine.model().tokenizer().isPresent());
            assertEquals(128, engine.model().maxModelLen());
            EngineHarness.Result r = EngineHarness.collect(engine.submit(EngineHarness.request("d", prompt(14, 6), EngineHarness.greedy(3))), 1);
            assertEquals(3, r.tokens(0).length);
        }
    }

    @Test
    void closeEndsOpenStreamsWithAnAbort() throws InterruptedException {
        LocalEngine engine = EngineHarness.start(EngineHarness.config(folder).build());
        engine.pause();
        RequestStream open = engine.submit(EngineHarness.request("open", prompt(10, 8), EngineHarness.greedy(50)));
        engine.step();
        engine.close();
        EngineHarness.Result r = EngineHarness.collect(open, 1);
        assertEquals(FinishReason.ABORT, r.reasons().get(0));
        assertTrue(r.last().finished());
    }

    @Test
    void stepRunsExactlyOneIteration() throws InterruptedException {
        try (LocalEngine engine = EngineHarness.start(EngineHarness.config(folder).build())) {
            List<Long> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            engine.addStepListener(s -> seen.add(s.stepIndex()));
            engine.pause();
            assertTrue(engine.isPaused());
            RequestStream stream = engine.submit(EngineHarness.request("s", prompt(8, 5), EngineHarness.greedy(6)));
            assertNull(engine.state().lastStep());
            for (long i = 0; i < 3; i++) {
                engine.step();
                assertNotNull(engine.state().lastStep());
                assertEquals(i, engine.state().lastStep().stepIndex());
                assertEquals(i + 1, engine.state().totals().steps());
                assertEquals(i + 1, seen.size());
            }
            assertEquals(3, engine.state().totals().generationTokens(), "the prefill step and two decode steps sampled one token each");
            engine.resume();
            assertEquals(6, EngineHarness.collect(stream, 1).tokens(0).length);
            assertNotEquals(3, seen.size());
        }
    }

    @Test
    void anAbortBetweenStepsShowsInTheCurrentQueueCountsAtOnce() throws InterruptedException {
        // /metrics reads these: a client that hangs up while the engine then idles must not stay "running".
        try (LocalEngine engine = EngineHarness.start(EngineHarness.config(folder).build())) {
            engine.pause();
            RequestStream stream = engine.submit(EngineHarness.request("dropped", prompt(11, 6), EngineHarness.greedy(50)));
            engine.step();
            assertEquals(1, engine.state().queues().running());
            stream.close(); // the client goes away; no further step runs while paused
            EngineHarness.Result r = EngineHarness.collect(stream, 1);
            assertEquals(FinishReason.ABORT, r.reasons().get(0));
            // The state is refreshed right after the abort is handled (just after its event is sent).
            for (int i = 0; i < 500 && engine.state().queues().running() != 0; i++) Thread.sleep(10);
            assertEquals(1, engine.state().lastStep().queues().running(), "the last step's own counts are history");
            assertEquals(0, engine.state().queues().running(), "the current counts are not, though no step ran");
            assertEquals(0, engine.state().queues().waiting());
            KvSnapshot kv = engine.state().kvSnapshot();
            assertEquals(0, kv.count(KvSnapshot.BlockState.HELD), "and its blocks are back without a step");
        }
    }
}
