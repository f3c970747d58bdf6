package dev.pagoda.catalog.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ModelSpec.Builder}: its defaults are what a Llama config.json that says nothing more means. */
class ModelSpecBuilderTest {

    @TempDir
    Path dir;

    @Test
    void unsetValuesMeanWhatAnHfLlamaConfigLeftSilentMeans() throws IOException {
        Files.writeString(dir.resolve("config.json"), """
                {"architectures": ["LlamaForCausalLM"], "hidden_size": 64, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "intermediate_size": 96, "vocab_size": 100}""");
        ModelSpec built = ModelSpec.builder(Architecture.LLAMA)
                .hiddenSize(64).numLayers(2).numHeads(4).intermediateSize(96).vocabSize(100)
                .build();
        assertEquals(HfConfigReader.readFolder(dir), built);
        assertEquals(4, built.numKvHeads(), "no num_key_value_heads: one KV head per query head");
        assertEquals(16, built.headDim(), "hidden_size / num_attention_heads");
    }

    @Test
    void toBuilderChangesOnlyWhatIsSet() {
        ModelSpec base = ModelSpec.builder(Architecture.QWEN3)
                .hiddenSize(64).numLayers(2).numHeads(4).numKvHeads(2).headDim(32).intermediateSize(96).vocabSize(100)
                .torchDtype("bfloat16").eosTokenIds(7, 8).qkNorm(true)
                .build();
        assertEquals(base, base.toBuilder().build());
        ModelSpec f32 = base.toBuilder().torchDtype("float32").build();
        assertNotEquals(base, f32);
        assertEquals(base, f32.toBuilder().torchDtype("bfloat16").build());
        assertEquals(List.of(7, 8), f32.eosTokenIds());
        assertEquals(32, f32.headDim(), "an explicit head_dim survives");
    }

    @Test
    void aMissingSizeIsNamed() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ModelSpec.builder(Architecture.LLAMA).hiddenSize(64).numLayers(2).numHeads(4).vocabSize(10).build());
        assertTrue(e.getMessage().contains("intermediateSize"), e.getMessage());
    }
}
