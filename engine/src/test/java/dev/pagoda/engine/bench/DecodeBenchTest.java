package dev.pagoda.engine.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.config.Architecture;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.engine.cpu.Linear;
import dev.pagoda.engine.cpu.LinearKernels;
import dev.pagoda.engine.cpu.Parallel;
import dev.pagoda.engine.load.DummyWeights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The decode harness measures what it claims: every projection is timed under its kind, and timing changes no result. */
class DecodeBenchTest {

    /** A Qwen2-style miniature (q/k/v bias, tied embeddings) so the harness runs in milliseconds. */
    private static final ModelSpec TINY = ModelSpec.builder(Architecture.QWEN2)
            .hiddenSize(64).numLayers(2).numHeads(4).numKvHeads(2).intermediateSize(96).vocabSize(300)
            .maxPositionEmbeddings(256).tieWordEmbeddings(true).torchDtype("float32").bosTokenIds(1).eosTokenIds(2)
            .attentionBias(true)
            .build();

    @Test
    void everyProjectionKindIsTimedAndTheStepsAreCounted() {
        try (Parallel parallel = new Parallel(2);
             DummyWeights weights = new DummyWeights(TINY, DType.F32, 3);
             DecodeBench bench = new DecodeBench(weights, parallel, 4, 8, 64)) {
            for (int batch : new int[] {1, 4}) {
                DecodeResult r = bench.run(new DecodeBench.Plan(batch, 5, 2, 6, 11));
                assertEquals(batch, r.batch());
                assertEquals(6, r.steps());
                assertEquals(Set.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "lm_head"),
                        r.linearMillis().keySet());
                assertTrue(r.linearMillis().values().stream().allMatch(ms -> ms > 0), "batch " + batch + ": " + r.linearMillis());
                assertTrue(r.linearTotalMillis() + r.samplingMillis() <= r.totalMillis(), "parts exceed the whole: " + r);
                assertEquals(batch * 6 / (r.totalMillis() / 1e3), r.tokensPerSecond(), 1e-9 * r.tokensPerSecond());
            }
        }
    }

    @Test
    void aTimedLinearComputesExactlyWhatTheKernelComputes() {
        Random random = new Random(5);
        int out = 40, in = 64, tokens = 3;
        try (Parallel parallel = new Parallel(2); Arena arena = Arena.ofShared()) {
            MemorySegment w = floats(arena, out * in, random), x = floats(arena, tokens * in, random);
            MemorySegment plain = arena.allocate((long) tokens * out * Float.BYTES), timed = arena.allocate((long) tokens * out * Float.BYTES);
            TensorData weight = new TensorData("model.layers.7.mlp.down_proj.weight", DType.F32, new long[] {out, in}, w);
            LinearKernels.create(weight, parallel, tokens).forward(x, plain, tokens);
            LinearProfile profile = new LinearProfile();
            Linear wrapped = profile.wrap(t -> LinearKernels.create(t, parallel, tokens)).apply(weight);
            wrapped.forward(x, timed, tokens);
            assertArrayEquals(plain.toArray(ValueLayout.JAVA_FLOAT), timed.toArray(ValueLayout.JAVA_FLOAT));
            assertEquals(Set.of("down_proj"), profile.millisByKind().keySet());
        }
    }

    @Test
    void kindsAreTheProjectionNames() {
        assertEquals("q_proj", LinearProfile.kindOf("model.layers.0.self_attn.q_proj.weight"));
        assertEquals("gate_proj", LinearProfile.kindOf("model.layers.23.mlp.gate_proj.weight"));
        assertEquals("lm_head", LinearProfile.kindOf("lm_head.weight"));
        assertEquals("lm_head", LinearProfile.kindOf("model.embed_tokens.weight"));
    }

    private static MemorySegment floats(Arena arena, int n, Random random) {
        MemorySegment s = arena.allocate((long) n * Float.BYTES, 64);
        for (int i = 0; i < n; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) random.nextGaussian());
        return s;
    }
}
