package dev.pagoda.engine.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.testing.TestModels;
import dev.pagoda.catalog.config.HfConfigReader;
import dev.pagoda.engine.api.RequestStream;
import dev.pagoda.engine.testing.FixtureWeights;
import dev.pagoda.engine.testing.ReferenceLlama;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Greedy outputs through {@link LocalEngine} are the same whatever the block size, the company a
 * request keeps, the chunk size, preemption or prefix caching; and the baseline itself equals
 * greedy decoding with {@link ReferenceLlama} (contiguous K/V, whole sequence recomputed per token).
 */
class LocalEngineInvarianceTest {

    private static final int MAX_TOKENS = 10;
    private static Path folder;
    private static int[][] prompts;
    private static int[][] baseline;

    @BeforeAll
    static void setUp(@TempDir Path tmp) throws InterruptedException {
        folder = EngineHarness.writeFixture(tmp);
        Random random = new Random(3);
        int[] shared = random.ints(20, 0, TestModels.tokenizer().size()).toArray(); // common prefix: prefix-cache hits
        prompts = new int[6][];
        for (int i = 0; i < prompts.length; i++) {
            int[] tail = random.ints(3 + random.nextInt(25), 0, TestModels.tokenizer().size()).toArray();
            prompts[i] = i % 2 == 0 ? concat(shared, tail) : tail;
        }
        baseline = run(EngineHarness.config(folder).build(), 0).outputs;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private record Run(int[][] outputs, dev.pagoda.engine.api.EngineTotals totals) {}

    /** The prompts submitted together (plus {@code others} random requests), their greedy outputs. */
    private static Run run(EngineConfig config, int others) throws InterruptedException {
        try (LocalEngine engine = EngineHarness.start(config)) {
            Random random = new Random(99);
            List<RequestStream> streams = new ArrayList<>();
            for (int i = 0; i < prompts.length; i++) {
                streams.add(engine.submit(EngineHarness.request("p" + i, prompts[i], EngineHarness.greedy(MAX_TOKENS))));
                for (int k = 0; k < others / prompts.length; k++) {
                    int[] p = random.ints(1 + random.nextInt(30), 0, TestModels.tokenizer().size()).toArray();
                    engine.submit(EngineHarness.request("o" + i + "-" + k, p, EngineHarness.greedy(1 + random.nextInt(12))));
                }
            }
            int[][] out = new int[prompts.length][];
            for (int i = 0; i < prompts.length; i++) out[i] = EngineHarness.collect(streams.get(i), 1).tokens(0);
            engine.pause();
            engine.step(); // the state after the step that finished the last request
            return new Run(out, engine.state().totals());
        }
    }

    private static void assertSameAsBaseline(Run run, String what) {
        for (int i = 0; i < prompts.length; i++) {
            assertArrayEquals(baseline[i], run.outputs[i], what + ": prompt " + i);
        }
    }

    @Test
    void baselineIsGreedyDecodingOfTheReferenceModel() {
        var spec = HfConfigReader.readFolder(folder);
        ReferenceLlama reference = new ReferenceLlama(new FixtureWeights(TestModels.llama(), spec));
        for (int i = 0; i < 2; i++) {
            int[] seq = prompts[i];
            for (int step = 0; step < MAX_TOKENS; step++) {
                double[][] logits = reference.logits(seq);
                double[] last = logits[seq.length - 1];
                int best = 0;
                for (int v = 1; v < last.length; v++) if (last[v] > last[best]) best = v;
                assertEquals(best, baseline[i][step], "prompt " + i + " token " + step);
                seq = Arrays.copyOf(seq, seq.length + 1);
                seq[seq.length - 1] = best;
            }
        }
    }

    @Test
    void blockSizesGiveTheSameOutputs() throws InterruptedException {
        for (int blockSize : new int[] {8, 32}) {
            assertSameAsBaseline(run(EngineHarness.config(folder).blockSize(blockSize).build(), 0), "block size " + blockSize);
        }
    }

    @Test
    void companyOf64OtherRequestsChangesNothing() throws InterruptedException {
        assertSameAsBaseline(run(EngineHarness.config(folder).build(), 66), "among 64+ others");
    }

    @Test
    void chunkSizesGiveTheSameOutputs() throws InterruptedException {
        for (int budget : new int[] {16, 64, 2048}) {
            assertSameAsBaseline(run(EngineHarness.config(folder).maxNumBatchedTokens(budget).build(), 0), "chunk budget " + budget);
        }
    }

    @Test
    void preemptionInATinyPoolGivesTheSameOutputs() throws InterruptedException {
        // 64-token context at block size 8 needs 8 blocks per sequence; 10 blocks cannot hold the six prompts at once.
        long tenBlocks = 10L * 2 * TestModels.LAYERS * TestModels.KV_HEADS * TestModels.HEAD_DIM * Float.BYTES * 8;
        Run run = run(EngineHarness.config(folder).maxModelLen(64).blockSize(8).kvCacheMemoryBytes(tenBlocks).build(), 0);
        assertSameAsBaseline(run, "tiny pool");
        assertTrue(run.totals().preemptions() > 0, "the tiny pool must force preemptions: " + run.totals());
    }

    @Test
    void prefixCachingOnAndOffGiveTheSameOutputs() throws InterruptedException {
        Run off = run(EngineHarness.config(folder).enablePrefixCaching(false).build(), 0);
        assertSameAsBaseline(off, "prefix caching off");
        assertEquals(0, off.totals().prefixCacheHits());
        Run on = run(EngineHarness.config(folder).maxNumSeqs(1).build(), 0); // one at a time: later prompts hit the shared prefix
        assertSameAsBaseline(on, "prefix caching on, sequential");
        assertTrue(on.totals().prefixCacheHits() >= 16, "shared 20-token prefix must hit a block: " + on.totals());
    }
}
