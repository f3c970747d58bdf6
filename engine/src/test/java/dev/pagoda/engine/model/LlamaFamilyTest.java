package dev.pagoda.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.config.Architecture;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.config.RopeScaling;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.catalog.tensor.WeightSource;
import dev.pagoda.engine.backend.cpu.CpuModel;
import dev.pagoda.engine.cpu.CpuKvCache;
import dev.pagoda.engine.cpu.KvCacheShape;
import dev.pagoda.engine.cpu.Parallel;
import dev.pagoda.engine.load.DummyWeights;
import dev.pagoda.engine.model.PagedSequences.Chunk;
import dev.pagoda.engine.model.PagedSequences.Seq;
import dev.pagoda.engine.model.arch.Architectures;
import dev.pagoda.engine.model.arch.LlamaFamily;
import dev.pagoda.engine.testing.F32;
import dev.pagoda.engine.testing.ReferenceLinear;
import dev.pagoda.engine.testing.ReferenceLlama;
import dev.pagoda.engine.testing.Workers;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * fp32 logits of {@link LlamaFamily} on the CPU backend over the paged cache against
 * {@link ReferenceLlama} (contiguous K/V, whole-sequence causal attention, doubles) for every
 * architecture switch.
 */
@ExtendWith(Workers.class)
class LlamaFamilyTest {

    private static final double TOLERANCE = 1e-4;
    private static final int[] BLOCK_SIZES = {1, 4, 16};
    /** A tiny spec: hidden 32, 2 layers, 4 heads, vocab 61, context 64. */
    private static ModelSpec tiny(Architecture arch, int kvHeads, int headDim, RopeScaling scaling, Integer window,
                                  boolean tied, boolean bias, boolean qkNorm) {
        return ModelSpec.builder(arch)
                .hiddenSize(32).numLayers(2).numHeads(4).numKvHeads(kvHeads).headDim(headDim).intermediateSize(48).vocabSize(61)
                .rmsNormEps(1e-5).ropeTheta(10000).ropeScaling(scaling).maxPositionEmbeddings(64).tieWordEmbeddings(tied)
                .torchDtype("float32").bosTokenIds(1).eosTokenIds(2).slidingWindow(window).attentionBias(bias).qkNorm(qkNorm)
                .build();
    }

    static Stream<Arguments> variants() {
        return Stream.of(
                Arguments.of("llama", tiny(Architecture.LLAMA, 2, 8, null, null, false, false, false)),
                Arguments.of("llama MHA", tiny(Architecture.LLAMA, 4, 8, null, null, false, false, false)),
                Arguments.of("mistral sliding window 5",
                        tiny(Architecture.MISTRAL, 1, 8, null, 5, false, false, false)),
                Arguments.of("qwen2 qkv bias, tied",
                        tiny(Architecture.QWEN2, 2, 8, null, null, true, true, false)),
                Arguments.of("qwen3 q/k norm, head_dim 12",
                        tiny(Architecture.QWEN3, 2, 12, null, null, false, false, true)),
                Arguments.of("tied embeddings", tiny(Architecture.LLAMA, 2, 8, null, null, true, false, false)),
                Arguments.of("llama3 rope scaling", tiny(Architecture.LLAMA, 2, 8,
                        new RopeScaling(RopeScaling.Type.LLAMA3, 8, 64, 1, 4, 32, 1, Double.NaN),
                        null, false, false, false)),
                Arguments.of("yarn", tiny(Architecture.QWEN2, 2, 8,
                        new RopeScaling(RopeScaling.Type.YARN, 4, 16, 1, 4, 32, 1, Double.NaN),
                        null, false, true, false)),
                Arguments.of("linear rope scaling", tiny(Architecture.LLAMA, 2, 8,
                        new RopeScaling(RopeScaling.Type.LINEAR, 2, 0, 1, 4, 32, 1, Double.NaN),
                        null, false, false, false)));
    }

    /** The engine under test plus its cache, over given weights. */
    private record Engine(CpuModel model, CpuKvCache cache, Arena arena) implements AutoCloseable {

        static Engine of(DummyWeights weights, Parallel parallel, KvCacheShape cacheShape) {
            CpuModel model = CpuModel.load(weights, Architectures::create, ReferenceLinear::new, new ModelOptions(48, 64), parallel);
            CpuKvCache cache = new CpuKvCache(cacheShape);
            return new Engine(model, cache, Arena.ofConfined());
        }

        /** Logits (rows, vocab) for every row of the batch. */
        float[][] run(ForwardBatch batch) {
            int vocab = model.vocabSize();
            MemorySegment logits = F32.zeros(arena, (long) batch.logitRows().length * vocab);
            model.forward(batch, cache, logits);
            float[] flat = F32.read(logits, (long) batch.logitRows().length * vocab);
            float[][] rows = new float[batch.logitRows().length][];
            for (int r = 0; r < rows.length; r++) {
                rows[r] = java.util.Arrays.copyOfRange(flat, r * vocab, (r + 1) * vocab);
            }
            return rows;
        }

        @Override
        public void close() {
            model.close();
            cache.close();
            arena.close();
        }
    }

    /** Engine logits recorded per (sequence, position), compared at the end with one reference pass each. */
    private static final class Recorder {
        final Map<Seq, Map<Integer, float[]>> seen = new HashMap<>();

        void record(ForwardBatch batch, List<Chunk> chunks, float[][] logits) {
            for (int s = 0; s < chunks.size(); s++) {
                for (int row = batch.queryStart()[s]; row < batch.queryStart()[s + 1]; row++) {
                    seen.computeIfAbsent(chunks.get(s).seq(), k -> new HashMap<>()).put(batch.positions()[row], logits[row]);
                }
            }
        }

        void compare(ReferenceLlama reference, String context) {
            for (var entry : seen.entrySet()) {
                double[][] expected = reference.logits(entry.getKey().tokenArray());
                for (var pos : entry.getValue().entrySet()) {
                    double diff = F32.maxAbsDiff(pos.getValue(), expected[pos.getKey()]);
                    assertTrue(diff <= TOLERANCE, context + ", position " + pos.getKey() + ": max |Δ| = " + diff);
                }
            }
        }
    }

    private static int[] randomTokens(Random random, int n, int vocab) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = random.nextInt(vocab);
        return t;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void singlePromptMatchesReference(String name, ModelSpec spec, Parallel parallel) {
        for (long seed = 0; seed < 3; seed++) {
            Random random = new Random(seed);
            int blockSize = BLOCK_SIZES[(int) seed];
            try (DummyWeights weights = new DummyWeights(spec, DType.F32, seed);
                 Engine engine = Engine.of(weights, parallel, KvCacheShape.forModel(spec, 64, blockSize))) {
                PagedSequences paged = new PagedSequences(64, blockSize, random);
                Seq seq = new Seq(randomTokens(random, 13, spec.vocabSize()));
                List<Chunk> chunks = List.of(new Chunk(seq, 13));
                ForwardBatch batch = paged.step(chunks);
                Recorder recorder = new Recorder();
                recorder.record(batch, chunks, engine.run(batch));
                recorder.compare(new ReferenceLlama(weights), name + " seed " + seed + " block " + blockSize);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void mixedBatchOfPrefillChunksAndDecodesMatchesReference(String name, ModelSpec spec, Parallel parallel) {
        for (long seed = 0; seed < 3; seed++) {
            Random random = new Random(100 + seed);
            int blockSize = BLOCK_SIZES[(int) seed];
            try (DummyWeights weights = new DummyWeights(spec, DType.F32, seed);
                 Engine engine = Engine.of(weights, parallel, KvCacheShape.forModel(spec, 96, blockSize))) {
                PagedSequences paged = new PagedSequences(96, blockSize, random);
                Seq a = new Seq(randomTokens(random, 14, spec.vocabSize()));
                Seq b = new Seq(randomTokens(random, 7, spec.vocabSize()));
                Seq c = new Seq(randomTokens(random, 9, spec.vocabSize()));
                Seq d = new Seq(randomTokens(random, 3, spec.vocabSize()));
                Recorder recorder = new Recorder();
                // Step 1: a's first prefill chunk, the others' whole prompts except their last token.
                List<List<Chunk>> steps = new ArrayList<>();
                steps.add(List.of(new Chunk(b, 6), new Chunk(a, 5), new Chunk(c, 8), new Chunk(d, 2)));
                // Step 2: a mid-prefill chunk among one-token steps (b, c, d are decoding).
                steps.add(List.of(new Chunk(c, 1), new Chunk(a, 6), new Chunk(d, 1), new Chunk(b, 1)));
                for (List<Chunk> step : steps) {
                    ForwardBatch batch = paged.step(step);
                    recorder.record(batch, step, engine.run(batch));
                }
                for (int decode = 0; decode < 3; decode++) {
                    for (Seq s : List.of(b, c, d)) s.tokens.add(random.nextInt(spec.vocabSize()));
                    List<Chunk> step = decode == 0
                            ? List.of(new Chunk(d, 1), new Chunk(a, 3), new Chunk(b, 1), new Chunk(c, 1))
                            : List.of(new Chunk(b, 1), new Chunk(c, 1), new Chunk(d, 1));
                    ForwardBatch batch = paged.step(step);
                    recorder.record(batch, step, engine.run(batch));
                }
                recorder.compare(new ReferenceLlama(weights), name + " seed " + seed + " block " + blockSize);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void greedyDecodingStepByStepMatchesReferenceOnTheFullSequence(String name, ModelSpec spec, Parallel parallel) {
        long seed = 7;
        Random random = new Random(seed);
        try (DummyWeights weights = new DummyWeights(spec, DType.F32, seed);
             Engine engine = Engine.of(weights, parallel, KvCacheShape.forModel(spec, 32, 4))) {
            PagedSequences paged = new PagedSequences(32, 4, random);
            Seq seq = new Seq(randomTokens(random, 6, spec.vocabSize()));
            Recorder recorder = new Recorder();
            List<Chunk> chunks = List.of(new Chunk(seq, 6));
            for (int step = 0; step < 8; step++) {
                ForwardBatch batch = paged.step(chunks);
                float[][] logits = engine.run(batch);
                recorder.record(batch, chunks, logits);
                seq.tokens.add(argmax(logits[logits.length - 1]));
                chunks = List.of(new Chunk(seq, 1));
            }
            recorder.compare(new ReferenceLlama(weights), name + " greedy");
        }
    }

    @ParameterizedTest
    @MethodSource("halfPrecision")
    void halfPrecisionWeightsDecodeLikeTheReference(DType dtype, Parallel parallel) {
        ModelSpec spec = tiny(Architecture.QWEN2, 2, 8, null, null, true, true, false);
        Random random = new Random(3);
        try (DummyWeights weights = new DummyWeights(spec, dtype, 3);
             Engine engine = Engine.of(weights, parallel, KvCacheShape.forModel(spec, 16, 8))) {
            Seq seq = new Seq(randomTokens(random, 10, spec.vocabSize()));
            List<Chunk> chunks = List.of(new Chunk(seq, 10));
            ForwardBatch batch = new PagedSequences(16, 8, random).step(chunks);
            Recorder recorder = new Recorder();
            recorder.record(batch, chunks, engine.run(batch));
            recorder.compare(new ReferenceLlama(weights), dtype.name());
        }
    }

    static Stream<DType> halfPrecision() {
        return Stream.of(DType.F16, DType.BF16);
    }

    @Test
    void logitsAreWrittenOnlyForTheRequestedRowsInTheirOrder(Parallel parallel) {
        ModelSpec spec = tiny(Architecture.LLAMA, 2, 8, null, null, false, false, false);
        Random random = new Random(11);
        try (DummyWeights weights = new DummyWeights(spec, DType.F32, 11);
             Engine engine = Engine.of(weights, parallel, KvCacheShape.forModel(spec, 16, 4))) {
            Seq a = new Seq(randomTokens(random, 5, spec.vocabSize()));
            Seq b = new Seq(randomTokens(random, 4, spec.vocabSize()));
            ForwardBatch all = new PagedSequences(16, 4, random).step(List.of(new Chunk(a, 5), new Chunk(b, 4)));
            ForwardBatch lastOfEach = new ForwardBatch(all.tokenIds(), all.positions(), all.slotMapping(),
                    all.queryStart(), all.contextLens(), all.blockTables(), new int[] {8, 4});
            float[][] logits = engine.run(lastOfEach);
            assertEquals(2, logits.length);
            double[][] refB = new ReferenceLlama(weights).logits(b.tokenArray());
            double[][] refA = new ReferenceLlama(weights).logits(a.tokenArray());
            assertTrue(F32.maxAbsDiff(logits[0], refB[3]) <= TOLERANCE, "row 0 holds b's last token");
            assertTrue(F32.maxAbsDiff(logits[1], refA[4]) <= TOLERANCE, "row 1 holds a's last token");
        }
    }

    @Test
    void badBatchesFailWithAClearMessage(Parallel parallel) {
        ModelSpec spec = tiny(Architecture.LLAMA, 2, 8, null, null, false, false, false);
        try (DummyWeights weights = new DummyWeights(spec, DType.F32, 1);
             Engine engine = Engine.of(weights, parallel, KvCacheShape.forModel(spec, 4, 4))) {
            ForwardBatch badToken = new ForwardBatch(new int[] {61}, new int[] {0}, new int[] {0},
                    new int[] {0, 1}, new int[] {1}, new int[][] {{0}}, new int[] {0});
            assertTrue(assertThrows(IllegalArgumentException.class, () -> engine.run(badToken))
                    .getMessage().contains("token id 61"));
            ForwardBatch badBlock = new ForwardBatch(new int[] {3}, new int[] {0}, new int[] {0},
                    new int[] {0, 1}, new int[] {1}, new int[][] {{9}}, new int[] {0});
            assertTrue(assertThrows(IllegalArgumentException.class, () -> engine.run(badBlock))
                    .getMessage().contains("block table entry 0 = 9"));
            ForwardBatch shortTable = new ForwardBatch(new int[] {3}, new int[] {4}, new int[] {0},
                    new int[] {0, 1}, new int[] {5}, new int[][] {{0}}, new int[] {0});
            assertTrue(assertThrows(IllegalArgumentException.class, () -> engine.run(shortTable))
                    .getMessage().contains("need 2 blocks"));
            ForwardBatch badSlot = new ForwardBatch(new int[] {3}, new int[] {0}, new int[] {16},
                    new int[] {0, 1}, new int[] {1}, new int[][] {{0}}, new int[] {0});
            assertTrue(assertThrows(IllegalArgumentException.class, () -> engine.run(badSlot))
                    .getMessage().contains("slot 16"));
            ForwardBatch strayedSlot = new ForwardBatch(new int[] {3, 4}, new int[] {0, 1}, new int[] {8, 10},
                    new int[] {0, 2}, new int[] {2}, new int[][] {{2}}, new int[] {0});
            String strayed = assertThrows(IllegalArgumentException.class, () -> engine.run(strayedSlot)).getMessage();
            assertTrue(strayed.contains("token row 1 (position 1) maps to slot 10") && strayed.contains("slot 9"), strayed);
            int[] many = java.util.stream.IntStream.range(0, 49).toArray();
            assertTrue(assertThrows(IllegalArgumentException.class, () -> engine.run(new ForwardBatch(many, many,
                    many, new int[] {0, 49}, new int[] {49}, new int[][] {new int[13]}, new int[0])))
                    .getMessage().contains("maxTokens"));
        }
        assertThrows(IllegalArgumentException.class, () -> new ForwardBatch(new int[] {1}, new int[] {0},
                new int[] {0}, new int[] {0, 2}, new int[] {1}, new int[][] {{0}}, new int[] {0}));
        String positions = assertThrows(IllegalArgumentException.class, () -> new ForwardBatch(new int[] {1, 2},
                new int[] {3, 5}, new int[] {3, 4}, new int[] {0, 2}, new int[] {5}, new int[][] {{0}}, new int[] {1}))
                .getMessage();
        assertTrue(positions.contains("token row 1 has position 5") && positions.contains("puts it at 4"), positions);
    }

    @Test
    void aMisshapenWeightIsNamed(Parallel parallel) {
        ModelSpec actual = tiny(Architecture.LLAMA, 2, 8, null, null, false, false, false);
        ModelSpec claimed = ModelSpec.builder(Architecture.LLAMA)
                .hiddenSize(32).numLayers(2).numHeads(4).numKvHeads(2).intermediateSize(50).vocabSize(61)
                .rmsNormEps(1e-5).maxPositionEmbeddings(64).torchDtype("float32")
                .build();
        try (DummyWeights weights = new DummyWeights(actual, DType.F32, 1)) {
            WeightSource lying = new WeightSource() {
                public ModelSpec spec() { return claimed; }
                public Set<String> tensorNames() { return weights.tensorNames(); }
                public TensorData tensor(String n) { return weights.tensor(n); }
                public void close() { }
            };
            String message = assertThrows(IllegalArgumentException.class,
                    () -> CpuModel.load(lying, Architectures::create, ReferenceLinear::new, new ModelOptions(4, 8), parallel)).getMessage();
            assertTrue(message.contains("model.layers.0.mlp.gate_proj.weight") && message.contains("[48, 32]"), message);
        }
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
