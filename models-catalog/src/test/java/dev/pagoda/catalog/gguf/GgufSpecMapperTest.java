package dev.pagoda.catalog.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.ModelFormatException;
import dev.pagoda.catalog.config.Architecture;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.config.RopeScaling;
import dev.pagoda.catalog.quant.Dequantize;
import dev.pagoda.catalog.tensor.DType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Metadata as llama.cpp's converters write it, mapped field by field to values worked out by hand. */
class GgufSpecMapperTest {

    @TempDir
    Path dir;

    private Path file(String arch, Consumer<GgufWriter> extra) throws IOException {
        GgufWriter w = new GgufWriter().putString("general.architecture", arch)
                .putUInt32(arch + ".embedding_length", 2048)
                .putUInt32(arch + ".block_count", 28)
                .putUInt32(arch + ".attention.head_count", 16)
                .putUInt32(arch + ".feed_forward_length", 6144)
                .putUInt32(arch + ".context_length", 40960)
                .putFloat32(arch + ".attention.layer_norm_rms_epsilon", 1e-6);
        extra.accept(w);
        Path path = dir.resolve(arch + System.nanoTime() + ".gguf");
        w.write(path);
        return path;
    }

    private static ModelSpec map(Path path) {
        try (GgufFile f = GgufFile.open(path)) {
            return GgufSpecMapper.map(f);
        }
    }

    @Test
    void qwen3LikeMetadata() throws IOException {
        ModelSpec s = map(file("qwen3", w -> w
                .putUInt32("qwen3.attention.head_count_kv", 8)
                .putUInt32("qwen3.attention.key_length", 128)
                .putFloat32("qwen3.rope.freq_base", 1_000_000)
                .putUInt32("general.file_type", 32)
                .putArray("tokenizer.ggml.tokens", GgufValueType.STRING, List.of("a", "b", "c"))
                .putUInt32("tokenizer.ggml.bos_token_id", 151643)
                .putUInt32("tokenizer.ggml.eos_token_id", 151645)
                .putUInt32("tokenizer.ggml.eot_token_id", 151645)      // same id: listed once
                .putUInt32("tokenizer.ggml.eom_token_id", 151646)
                .addTensor("blk.0.attn_q_norm.weight", DType.F32, new long[] {128}, new float[128])));
        assertEquals(Architecture.QWEN3, s.architecture());
        assertEquals(2048, s.hiddenSize());
        assertEquals(28, s.numLayers());
        assertEquals(16, s.numHeads());
        assertEquals(8, s.numKvHeads());
        assertEquals(128, s.headDim());                 // explicit, not 2048/16
        assertEquals(6144, s.intermediateSize());
        assertEquals(3, s.vocabSize());                 // no token_embd: from the token list
        assertEquals(1e-6, s.rmsNormEps());             // float32 read back as its decimal
        assertEquals(1_000_000.0, s.ropeTheta());
        assertNull(s.ropeScaling());
        assertEquals(40960, s.maxPositionEmbeddings());
        assertTrue(s.tieWordEmbeddings());              // no output.weight
        assertEquals("bfloat16", s.torchDtype());       // LLAMA_FTYPE_MOSTLY_BF16 = 32
        assertEquals(List.of(151643), s.bosTokenIds());
        assertEquals(List.of(151645, 151646), s.eosTokenIds());
        assertNull(s.slidingWindow());
        assertFalse(s.attentionBias());
        assertTrue(s.qkNorm());
    }

    @Test
    void defaultsFollowLlamaCpp() throws IOException {
        ModelSpec s = map(file("llama", w -> w
                .putUInt32("general.file_type", 7)
                .addTensor("token_embd.weight", DType.F32, new long[] {5, 32}, new float[160])
                .addTensor("output.weight", DType.F32, new long[] {5, 32}, new float[160])
                .addTensor("blk.0.attn_q.bias", DType.F32, new long[] {32}, new float[32])));
        assertEquals(Architecture.LLAMA, s.architecture());
        assertEquals(16, s.numKvHeads());               // head_count_kv absent: = head_count
        assertEquals(128, s.headDim());                 // 2048 / 16
        assertEquals(10000.0, s.ropeTheta());           // rope.freq_base absent
        assertEquals(5, s.vocabSize());                 // rows of token_embd
        assertFalse(s.tieWordEmbeddings());
        assertNull(s.torchDtype());                     // Q8_0 file: no torch dtype
        assertTrue(s.attentionBias());
        assertEquals(List.of(), s.bosTokenIds());
    }

    @Test
    void ropeScalingTypes() throws IOException {
        ModelSpec linear = map(file("llama", w -> w.putUInt32("llama.vocab_size", 9)
                .putString("llama.rope.scaling.type", "linear").putFloat32("llama.rope.scaling.factor", 4)));
        assertEquals(RopeScaling.Type.LINEAR, linear.ropeScaling().type());
        assertEquals(4.0, linear.ropeScaling().factor());
        assertEquals(9, linear.vocabSize());

        ModelSpec yarn = map(file("qwen2", w -> w.putUInt32("qwen2.vocab_size", 9)
                .putString("qwen2.rope.scaling.type", "yarn").putFloat32("qwen2.rope.scaling.factor", 4)
                .putUInt32("qwen2.rope.scaling.original_context_length", 32768)));
        assertEquals(new RopeScaling(RopeScaling.Type.YARN, 4.0, 32768, 1.0, 4.0, 32.0, 1.0, Double.NaN), yarn.ropeScaling());

        assertNull(map(file("llama", w -> w.putUInt32("llama.vocab_size", 9)
                .putString("llama.rope.scaling.type", "none"))).ropeScaling());

        Path longrope = file("llama", w -> w.putUInt32("llama.vocab_size", 9)
                .putString("llama.rope.scaling.type", "longrope").putFloat32("llama.rope.scaling.factor", 4));
        var e = assertThrows(ModelFormatException.class, () -> map(longrope));
        assertTrue(e.getMessage().contains("longrope") && e.getMessage().contains("yarn"), e.getMessage());
    }

    @Test
    void unsupportedArchitectureListsTheSupportedOnes() throws IOException {
        Path gemma = file("gemma3", w -> {});
        var e = assertThrows(ModelFormatException.class, () -> map(gemma));
        assertTrue(e.getMessage().contains("'gemma3'") && e.getMessage().contains("[llama, qwen2, qwen3]")
                && e.getMessage().startsWith(gemma.toString()), e.getMessage());
    }

    @Test
    void missingOrMistypedKeysAreNamed() throws IOException {
        Path noVocab = file("llama", w -> {});
        var e = assertThrows(ModelFormatException.class, () -> map(noVocab));
        assertTrue(e.getMessage().contains("vocabulary size"), e.getMessage());
        Path badType = file("llama", w -> w.putUInt32("llama.vocab_size", 9).putString("llama.block_count", "28"));
        e = assertThrows(ModelFormatException.class, () -> map(badType));
        assertTrue(e.getMessage().contains("llama.block_count"), e.getMessage());
    }

    @Test
    void ropeFreqsIsExposedUnchangedUnderItsGgufName() throws IOException {
        float[] factors = {1f, 1f, 2.5f, 8f};
        Path path = file("llama", w -> w.putUInt32("llama.vocab_size", 9)
                .addTensor("rope_freqs.weight", DType.F32, new long[] {4}, factors)
                .addTensor("output_norm.weight", DType.F32, new long[] {4}, new float[4]));
        try (GgufWeightSource source = GgufWeightSource.open(path)) {
            assertEquals(List.of("rope_freqs.weight", "model.norm.weight"), List.copyOf(source.tensorNames()));
            assertArrayEquals(factors, Dequantize.toFloats(source.tensor("rope_freqs.weight")));
            var e = assertThrows(IllegalArgumentException.class, () -> source.tensor("lm_head.weight"));
            assertTrue(e.getMessage().contains(path.toString()) && e.getMessage().contains("lm_head.weight"));
        }
    }
}
