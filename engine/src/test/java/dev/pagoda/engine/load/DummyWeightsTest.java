package dev.pagoda.engine.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.config.Architecture;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.engine.cpu.CpuKvCache;
import dev.pagoda.engine.cpu.KvCacheShape;
import dev.pagoda.engine.cpu.Parallel;
import dev.pagoda.engine.model.ForwardBatch;
import dev.pagoda.engine.backend.cpu.CpuModel;
import dev.pagoda.engine.model.arch.Architectures;
import dev.pagoda.engine.model.ModelOptions;
import dev.pagoda.engine.testing.F32;
import dev.pagoda.engine.testing.NaiveTensors;
import dev.pagoda.engine.testing.ReferenceLinear;
import dev.pagoda.engine.testing.Workers;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(Workers.class)
class DummyWeightsTest {

    private static final ModelSpec TINY = ModelSpec.builder(Architecture.QWEN3)
            .hiddenSize(64).numLayers(3).numHeads(4).numKvHeads(2).intermediateSize(96).vocabSize(50)
            .ropeTheta(1e6).maxPositionEmbeddings(128).attentionBias(true).qkNorm(true)
            .build();

    private static byte[] bytes(TensorData t) {
        return t.data().toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void sameSeedSameBytesWhateverTheOrderOrThreadsAndOtherSeedsDiffer(Parallel parallel) {
        try (DummyWeights a = new DummyWeights(TINY, DType.BF16, 42);
             DummyWeights b = new DummyWeights(TINY, DType.BF16, 42, parallel);
             DummyWeights c = new DummyWeights(TINY, DType.BF16, 43)) {
            String last = "model.layers.2.mlp.down_proj.weight";
            byte[] fromB = bytes(b.tensor(last));
            assertArrayEquals(bytes(a.tensor(last)), fromB);
            assertArrayEquals(bytes(b.tensor("model.embed_tokens.weight")), bytes(a.tensor("model.embed_tokens.weight")));
            assertFalse(java.util.Arrays.equals(bytes(c.tensor(last)), fromB));
        }
    }

    @Test
    void namesAndShapesFollowTheHfLayoutOfTheSpec() {
        try (DummyWeights w = new DummyWeights(BuiltinShapes.byName("llama3.2-1b"), DType.F16, 1)) {
            // tied: no lm_head; 16 layers × 9 tensors + embed + final norm
            assertEquals(16 * 9 + 2, w.tensorNames().size());
            assertFalse(w.has("lm_head.weight"));
            TensorData k = w.tensor("model.layers.15.self_attn.k_proj.weight");
            assertArrayEquals(new long[] {512, 2048}, k.shape());
            assertEquals(DType.F16, k.dtype());
            assertEquals(512L * 2048 * 2, k.data().byteSize());
        }
        try (DummyWeights w = new DummyWeights(TINY, DType.F32, 1)) {
            assertTrue(w.has("model.layers.1.self_attn.q_norm.weight") && w.has("model.layers.1.self_attn.v_proj.bias"));
            assertTrue(w.has("lm_head.weight"));
            String message = assertThrows(IllegalArgumentException.class, () -> w.tensor("model.layers.3.mlp.up_proj.weight"))
                    .getMessage();
            assertTrue(message.contains("model.layers.3.mlp.up_proj.weight"), message);
        }
        assertThrows(IllegalArgumentException.class, () -> new DummyWeights(TINY, DType.Q8_0, 1));
    }

    @Test
    void valuesStayInTheirDocumentedRanges() {
        try (DummyWeights w = new DummyWeights(TINY, DType.F32, 5)) {
            double bound = Math.sqrt(3.0 / 96);
            for (double v : NaiveTensors.decode(w.tensor("model.layers.0.mlp.down_proj.weight"))) {
                assertTrue(Math.abs(v) <= bound, "down_proj value " + v);
            }
            for (double v : NaiveTensors.decode(w.tensor("model.norm.weight"))) assertTrue(v >= 0.8 && v <= 1.2);
            double[] bias = NaiveTensors.decode(w.tensor("model.layers.0.self_attn.q_proj.bias"));
            for (double v : bias) assertTrue(Math.abs(v) <= 0.1);
            assertNotEquals(bias[0], bias[1]);
        }
    }

    @Test
    void aDeepModelOnDummyWeightsGivesFiniteLogits(Parallel parallel) {
        ModelSpec deep = ModelSpec.builder(Architecture.LLAMA)
                .hiddenSize(64).numLayers(24).numHeads(4).numKvHeads(2).intermediateSize(128).vocabSize(40)
                .rmsNormEps(1e-5).ropeTheta(500000).maxPositionEmbeddings(64).tieWordEmbeddings(true)
                .build();
        try (DummyWeights w = new DummyWeights(deep, DType.BF16, 9);
             CpuModel model = CpuModel.load(w, Architectures::create, ReferenceLinear::new, new ModelOptions(16, 64), parallel);
             CpuKvCache cache = new CpuKvCache(KvCacheShape.forModel(deep, 4, 16));
             Arena arena = Arena.ofConfined()) {
            int[] tokens = new int[16], positions = new int[16], rows = new int[16];
            for (int i = 0; i < 16; i++) {
                tokens[i] = (i * 7) % 40;
                positions[i] = i;
                rows[i] = i;
            }
            MemorySegment logits = F32.zeros(arena, 16 * 40);
            model.forward(new ForwardBatch(tokens, positions, positions, new int[] {0, 16}, new int[] {16},
                    new int[][] {{0}}, rows), cache, logits);
            for (float v : F32.read(logits, 16 * 40)) assertTrue(Float.isFinite(v) && Math.abs(v) < 1e3, "logit " + v);
        }
    }
}
