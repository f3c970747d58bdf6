package dev.pagoda.catalog.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.config.Architecture;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.config.RopeScaling;
import dev.pagoda.catalog.quant.Dequantize;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfToGgufRoundTripTest {

    @TempDir
    Path dir;

    static ModelSpec spec(Architecture arch, boolean tied, RopeScaling scaling, String dtype) {
        return spec(arch, tied, scaling, dtype, arch == Architecture.QWEN2);
    }

    static ModelSpec spec(Architecture arch, boolean tied, RopeScaling scaling, String dtype, boolean bias) {
        boolean qwen3 = arch == Architecture.QWEN3;
        return ModelSpec.builder(arch)
                .hiddenSize(64).numLayers(2).numHeads(4).numKvHeads(2).headDim(qwen3 ? 32 : 16).intermediateSize(96).vocabSize(80)
                .rmsNormEps(1e-5).ropeTheta(qwen3 ? 1_000_000 : 500_000).ropeScaling(scaling).maxPositionEmbeddings(256)
                .tieWordEmbeddings(tied).torchDtype(dtype).bosTokenIds(1).eosTokenIds(2).attentionBias(bias).qkNorm(qwen3)
                .build();
    }

    private static ModelSpec withDtype(ModelSpec s, String dtype) {
        return s.toBuilder().torchDtype(dtype).build();
    }

    @Test
    void everyArchitectureAndTypeRoundTrips() throws IOException {
        RopeScaling linear = RopeScalingDefaults.of(RopeScaling.Type.LINEAR, 2.0, 0);
        RopeScaling yarn = RopeScalingDefaults.of(RopeScaling.Type.YARN, 4.0, 128);
        List<ModelSpec> specs = List.of(
                spec(Architecture.LLAMA, false, null, "float32"),
                spec(Architecture.LLAMA, true, linear, "float32", true), // q/k biases are permuted too
                spec(Architecture.QWEN2, true, null, "float32"),
                spec(Architecture.QWEN3, false, yarn, "float32"));
        int seed = 0;
        for (ModelSpec spec : specs) {
            for (DType type : List.of(DType.F32, DType.F16, DType.Q8_0, DType.Q4_0)) {
                roundTrip(spec, type, seed++);
            }
        }
    }

    private void roundTrip(ModelSpec spec, DType type, long seed) throws IOException {
        String what = spec.architecture() + " tied=" + spec.tieWordEmbeddings() + " " + type + " seed " + seed;
        InMemoryWeights hf = InMemoryWeights.random(spec, seed);
        Path file = dir.resolve("m" + seed + ".gguf");
        HfToGguf.convert(hf, Map.of("tokenizer.ggml.model", "gpt2"), new HfToGguf.Options(type, "tiny"), file);
        try (GgufWeightSource gguf = GgufWeightSource.open(file)) {
            String dtype = switch (type) {
                case F32 -> "float32";
                case F16 -> "float16";
                default -> null;
            };
            assertEquals(withDtype(spec, dtype), gguf.spec(), what);
            assertEquals(hf.tensorNames(), gguf.tensorNames(), what);
            for (String name : hf.tensorNames()) {
                TensorData t = gguf.tensor(name);
                assertEquals(name, t.name());
                assertArrayEquals(hf.shapes.get(name), t.shape(), what + " " + name);
                float[] expected = hf.values.get(name);
                float[] actual = Dequantize.toFloats(t);
                DType stored = t.rank() == 1 ? DType.F32 : type;
                assertEquals(stored, t.dtype(), what + " " + name);
                for (int i = 0; i < expected.length; i++) {
                    float tolerance = switch (stored) {
                        case F32 -> 0f;
                        case F16 -> Math.abs(expected[i]) * 0x1p-11f + 0x1p-24f;
                        case Q8_0 -> blockMax(expected, i) / 127 * 0.57f;
                        default -> blockMax(expected, i) / 8 * 1.01f;
                    };
                    float e = expected[i], a = actual[i];
                    int at = i;
                    assertTrue(Math.abs(e - a) <= tolerance, () -> what + " " + name + "[" + at + "]: " + e + " vs " + a);
                }
            }
        }
    }

    private static float blockMax(float[] v, int i) {
        int start = i / 32 * 32;
        float max = 0;
        for (int j = start; j < start + 32; j++) max = Math.max(max, Math.abs(v[j]));
        return max;
    }

    /** The file holds q/k in llama.cpp's layout: numpy's reshape/swapaxes done by hand on indices. */
    @Test
    void llamaQkRowsAreStoredPermutedLikeConvertHfToGguf() throws IOException {
        ModelSpec spec = spec(Architecture.LLAMA, false, null, "float32", true);
        InMemoryWeights hf = InMemoryWeights.random(spec, 42);
        Path file = dir.resolve("perm.gguf");
        HfToGguf.convert(hf, Map.of(), new HfToGguf.Options(DType.F32, null), file);
        try (GgufFile gguf = GgufFile.open(file)) {
            checkPermuted(hf.values.get("model.layers.1.self_attn.q_proj.weight"),
                    Dequantize.toFloats(gguf.tensor("blk.1.attn_q.weight")), spec.qDim(), spec.numHeads(), spec.hiddenSize());
            checkPermuted(hf.values.get("model.layers.1.self_attn.k_proj.weight"),
                    Dequantize.toFloats(gguf.tensor("blk.1.attn_k.weight")), spec.kvDim(), spec.numKvHeads(), spec.hiddenSize());
            checkPermuted(hf.values.get("model.layers.0.self_attn.k_proj.bias"),
                    Dequantize.toFloats(gguf.tensor("blk.0.attn_k.bias")), spec.kvDim(), spec.numKvHeads(), 1);
            assertArrayEquals(hf.values.get("model.layers.1.self_attn.v_proj.weight"),
                    Dequantize.toFloats(gguf.tensor("blk.1.attn_v.weight")), "v is not permuted");
        }
    }

    /** w.reshape(n_head, 2, rows/n_head/2, cols).swapaxes(1, 2).reshape(rows, cols). */
    private static void checkPermuted(float[] w, float[] stored, int rows, int nHead, int cols) {
        int half = rows / nHead / 2;
        float[] expected = new float[w.length];
        int out = 0;
        for (int h = 0; h < nHead; h++) {
            for (int j = 0; j < half; j++) {          // axes after swap: (h, j, i, col)
                for (int i = 0; i < 2; i++) {
                    int srcRow = (h * 2 + i) * half + j;
                    for (int c = 0; c < cols; c++) expected[out++] = w[srcRow * cols + c];
                }
            }
        }
        assertArrayEquals(expected, stored);
    }

    @Test
    void tensorNamesMapBothWays() {
        String[][] pairs = {
            {"token_embd.weight", "model.embed_tokens.weight"},
            {"output_norm.weight", "model.norm.weight"},
            {"output.weight", "lm_head.weight"},
            {"rope_freqs.weight", "rope_freqs.weight"},
            {"blk.12.attn_norm.weight", "model.layers.12.input_layernorm.weight"},
            {"blk.0.attn_q.bias", "model.layers.0.self_attn.q_proj.bias"},
            {"blk.0.attn_k.weight", "model.layers.0.self_attn.k_proj.weight"},
            {"blk.0.attn_v.weight", "model.layers.0.self_attn.v_proj.weight"},
            {"blk.0.attn_output.weight", "model.layers.0.self_attn.o_proj.weight"},
            {"blk.3.attn_q_norm.weight", "model.layers.3.self_attn.q_norm.weight"},
            {"blk.3.attn_k_norm.weight", "model.layers.3.self_attn.k_norm.weight"},
            {"blk.3.ffn_norm.weight", "model.layers.3.post_attention_layernorm.weight"},
            {"blk.3.ffn_gate.weight", "model.layers.3.mlp.gate_proj.weight"},
            {"blk.3.ffn_up.weight", "model.layers.3.mlp.up_proj.weight"},
            {"blk.3.ffn_down.weight", "model.layers.3.mlp.down_proj.weight"},
        };
        for (String[] p : pairs) {
            assertEquals(p[1], GgufTensorNames.toHf(p[0]).orElseThrow(), p[0]);
            assertEquals(p[0], GgufTensorNames.toGguf(p[1]).orElseThrow(), p[1]);
        }
        assertTrue(GgufTensorNames.toHf("blk.0.ffn_gate_exps.weight").isEmpty());
    }

    @Test
    void llama3RopeFactorsFollowConvertHfToGguf() {
        RopeScaling llama3 = new RopeScaling(RopeScaling.Type.LLAMA3, 8.0, 8192, 1.0, 4.0, 32, 1, Double.NaN);
        ModelSpec spec = ModelSpec.builder(Architecture.LLAMA)
                .hiddenSize(4096).numLayers(1).numHeads(32).numKvHeads(8).intermediateSize(14336).vocabSize(128256)
                .rmsNormEps(1e-5).ropeTheta(500000).ropeScaling(llama3).maxPositionEmbeddings(131072)
                .build();
        float[] f = HfToGguf.llama3RopeFactors(spec);
        assertEquals(64, f.length);
        assertEquals(1.0f, f[0]);                      // wavelength 2*pi: far below 8192/4
        assertEquals(8.0f, f[63]);                     // wavelength ~ 2*pi*500000^(126/128): beyond 8192
        // i = 20: freq = 500000^(-40/128), wavelen = 2*pi/freq = 380.7 < 2048 -> 1
        assertEquals(1.0f, f[20]);
        // i = 40: wavelen = 2*pi*500000^(80/128) = 2*pi*3650.4 = 22936 > 8192 -> 8
        assertEquals(8.0f, f[40]);
        // i = 35: wavelen = 2*pi*500000^(70/128) = 2*pi*1316.3 = 8270.6 > 8192 -> 8
        assertEquals(8.0f, f[35]);
        // i = 34: wavelen = 2*pi*500000^(68/128) = 2*pi*1065.56 = 6695.1 in (2048, 8192):
        // smooth = (8192/6695.1 - 1) / 3 = 0.074527, factor = 1 / ((1-smooth)/8 + smooth) = 5.2573
        assertEquals(5.2573, f[34], 0.0005);
    }
}
