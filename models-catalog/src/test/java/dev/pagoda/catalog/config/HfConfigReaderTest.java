package dev.pagoda.catalog.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.ModelFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real public configs (copied verbatim into test resources) against the values their model
 * cards state, and parameter counts against hand arithmetic.
 */
class HfConfigReaderTest {

    @TempDir
    Path tmp;

    /** Puts resource {@code name}.config.json (and .generation_config.json if present) into a model folder. */
    private Path folder(String name) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        copy(name + ".config.json", dir.resolve("config.json"));
        if (getClass().getResource(name + ".generation_config.json") != null) {
            copy(name + ".generation_config.json", dir.resolve("generation_config.json"));
        }
        return dir;
    }

    private void copy(String resource, Path to) throws IOException {
        try (InputStream in = getClass().getResourceAsStream(resource)) {
            Files.write(to, in.readAllBytes());
        }
    }

    private Path config(String json) throws IOException {
        Path dir = Files.createTempDirectory(tmp, "cfg");
        Files.writeString(dir.resolve("config.json"), json);
        return dir.resolve("config.json");
    }

    @Test
    void llama3_8b() throws IOException {
        ModelSpec s = HfConfigReader.readFolder(folder("Meta-Llama-3-8B"));
        assertEquals(ModelSpec.builder(Architecture.LLAMA)
                .hiddenSize(4096).numLayers(32).numHeads(32).numKvHeads(8).headDim(128).intermediateSize(14336).vocabSize(128256)
                .rmsNormEps(1e-5).ropeTheta(500000.0).maxPositionEmbeddings(8192).torchDtype("bfloat16")
                .bosTokenIds(128000).eosTokenIds(128001)
                .build(), s);
        // per layer: attention q,o 2·4096·4096 = 33,554,432 + k,v 2·4096·1024 = 8,388,608
        //            mlp 3·4096·14336 = 176,160,768; norms 2·4096 = 8,192  -> 218,112,000
        // 32 layers = 6,979,584,000; embed + lm_head 2·128256·4096 = 1,050,673,152; final norm 4,096
        // total 8,030,261,248 (the published Llama-3-8B count)
        assertEquals(8_030_261_248L, s.parameterCount());
    }

    @Test
    void llama31_8bInstructHasLlama3RopeScalingAndThreeEosIds() throws IOException {
        Path dir = folder("Llama-3.1-8B-Instruct");
        ModelSpec s = HfConfigReader.readFolder(dir);
        assertEquals(new RopeScaling(RopeScaling.Type.LLAMA3, 8.0, 8192, 1.0, 4.0, 32, 1, Double.NaN), s.ropeScaling());
        assertEquals(131072, s.maxPositionEmbeddings());
        assertEquals(List.of(128001, 128008, 128009), s.eosTokenIds());
        assertEquals(8_030_261_248L, s.parameterCount(), "same shapes as Llama-3-8B");

        GenerationDefaults g = HfConfigReader.readGenerationDefaults(dir);
        assertEquals(new GenerationDefaults(0.6, 0.9, null, null, null, true, List.of(128000),
                List.of(128001, 128008, 128009)), g);
    }

    @Test
    void mistral7b() throws IOException {
        ModelSpec s = HfConfigReader.readFolder(folder("Mistral-7B-v0.1"));
        assertEquals(ModelSpec.builder(Architecture.MISTRAL)
                .hiddenSize(4096).numLayers(32).numHeads(32).numKvHeads(8).headDim(128).intermediateSize(14336).vocabSize(32000)
                .rmsNormEps(1e-5).ropeTheta(10000.0).maxPositionEmbeddings(32768).torchDtype("bfloat16")
                .bosTokenIds(1).eosTokenIds(2).slidingWindow(4096)
                .build(), s);
        // per layer as Llama-3-8B: 218,112,000 · 32 = 6,979,584,000
        // embed + lm_head 2·32000·4096 = 262,144,000; final norm 4,096 -> 7,241,732,096
        assertEquals(7_241_732_096L, s.parameterCount());
    }

    @Test
    void qwen25_05bInstruct() throws IOException {
        Path dir = folder("Qwen2.5-0.5B-Instruct");
        ModelSpec s = HfConfigReader.readFolder(dir);
        // sliding_window 32768 is stated but use_sliding_window is false: full attention
        assertEquals(ModelSpec.builder(Architecture.QWEN2)
                .hiddenSize(896).numLayers(24).numHeads(14).numKvHeads(2).headDim(64).intermediateSize(4864).vocabSize(151936)
                .rmsNormEps(1e-6).ropeTheta(1e6).maxPositionEmbeddings(32768).tieWordEmbeddings(true).torchDtype("bfloat16")
                .bosTokenIds(151643).eosTokenIds(151645).attentionBias(true)
                .build(), s);
        // per layer: q,o 2·896·896 = 1,605,632; k,v 2·896·128 = 229,376; q/k/v bias 896+128+128 = 1,152
        //            mlp 3·896·4864 = 13,074,432; norms 1,792 -> 14,912,384
        // 24 layers = 357,897,216; tied embedding 151936·896 = 136,134,656; final norm 896
        // total 494,032,768 (the published Qwen2.5-0.5B count)
        assertEquals(494_032_768L, s.parameterCount());

        assertEquals(new GenerationDefaults(0.7, 0.8, 20, 1.1, null, true, List.of(151643), List.of(151645, 151643)),
                HfConfigReader.readGenerationDefaults(dir));
    }

    @Test
    void qwen3_06b() throws IOException {
        ModelSpec s = HfConfigReader.readFolder(folder("Qwen3-0.6B"));
        assertEquals(ModelSpec.builder(Architecture.QWEN3)
                .hiddenSize(1024).numLayers(28).numHeads(16).numKvHeads(8).headDim(128).intermediateSize(3072).vocabSize(151936)
                .rmsNormEps(1e-6).ropeTheta(1e6).maxPositionEmbeddings(40960).tieWordEmbeddings(true).torchDtype("bfloat16")
                .bosTokenIds(151643).eosTokenIds(151645).qkNorm(true)
                .build(), s);
        // head_dim 128 ≠ 1024/16: q_proj 1024->2048, k/v 1024->1024
        // per layer: q,o 2·1024·2048 = 4,194,304; k,v 2·1024·1024 = 2,097,152; q/k norm 2·128 = 256
        //            mlp 3·1024·3072 = 9,437,184; norms 2,048 -> 15,730,944
        // 28 layers = 440,466,432; tied embedding 151936·1024 = 155,582,464; final norm 1,024
        // total 596,049,920 (the published Qwen3-0.6B count)
        assertEquals(596_049_920L, s.parameterCount());
    }

    @Test
    void transformers5ConfigWithRopeParametersAndDtype() throws IOException {
        ModelSpec s = HfConfigReader.readFolder(folder("Qwen3-1.7B.transformers5"));
        assertEquals(1e6, s.ropeTheta());
        assertNull(s.ropeScaling(), "rope_type default means no scaling");
        assertEquals("bfloat16", s.torchDtype());
        assertEquals(128, s.headDim());
        // per layer: q,o 2·2048·2048 = 8,388,608; k,v 2·2048·1024 = 4,194,304; q/k norm 256
        //            mlp 3·2048·6144 = 37,748,736; norms 4,096 -> 50,336,000
        // 28 layers = 1,409,408,000; tied embedding 151936·2048 = 311,164,928; final norm 2,048
        // total 1,720,574,976 (model card: 1.7B, 1.4B non-embedding)
        assertEquals(1_720_574_976L, s.parameterCount());
        assertTrue(HfConfigReader.readGenerationDefaults(tmp.resolve("Qwen3-1.7B.transformers5")).eosTokenIds().isEmpty(),
                "no generation_config.json: empty defaults");
    }

    private static final String MINIMAL = """
            {"architectures": ["LlamaForCausalLM"], "hidden_size": 64, "num_hidden_layers": 2,
             "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100 %s}""";

    @Test
    void defaultsFollowTheTransformersConfigClasses() throws IOException {
        ModelSpec s = HfConfigReader.read(config(MINIMAL.formatted("")));
        assertEquals(4, s.numKvHeads(), "num_key_value_heads defaults to num_attention_heads");
        assertEquals(16, s.headDim(), "head_dim defaults to hidden/heads");
        assertEquals(10000.0, s.ropeTheta());
        assertEquals(2048, s.maxPositionEmbeddings());
        assertEquals(false, s.tieWordEmbeddings());
        assertNull(s.torchDtype());
        assertTrue(s.eosTokenIds().isEmpty());

        ModelSpec qwen3 = HfConfigReader.read(config(MINIMAL.formatted("").replace("LlamaForCausalLM", "Qwen3ForCausalLM")));
        assertEquals(128, qwen3.headDim(), "Qwen3Config defaults head_dim to 128");
    }

    @Test
    void ropeScalingVariants() throws IOException {
        RopeScaling linear = HfConfigReader.read(config(MINIMAL.formatted(
                ", \"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0}"))).ropeScaling();
        assertEquals(RopeScaling.Type.LINEAR, linear.type());
        assertEquals(2.0, linear.factor());

        RopeScaling dynamic = HfConfigReader.read(config(MINIMAL.formatted(
                ", \"max_position_embeddings\": 4096, \"rope_scaling\": {\"rope_type\": \"dynamic\", \"factor\": 4}")))
                .ropeScaling();
        assertEquals(RopeScaling.Type.DYNAMIC, dynamic.type());
        assertEquals(4096, dynamic.originalMaxPositionEmbeddings(), "dynamic falls back to max_position_embeddings");

        RopeScaling yarn = HfConfigReader.read(config(MINIMAL.formatted(
                ", \"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4.0, \"original_max_position_embeddings\": 32768}")))
                .ropeScaling();
        assertEquals(new RopeScaling(RopeScaling.Type.YARN, 4.0, 32768, 1, 4, 32, 1, Double.NaN), yarn);

        ModelSpec yarn5 = HfConfigReader.read(config(MINIMAL.formatted(", \"rope_parameters\": {\"rope_type\": \"yarn\","
                + " \"rope_theta\": 20000, \"factor\": 128.0, \"original_max_position_embeddings\": 8192,"
                + " \"beta_fast\": 16, \"beta_slow\": 2, \"attention_factor\": 1.5}")));
        assertEquals(20000.0, yarn5.ropeTheta());
        assertEquals(new RopeScaling(RopeScaling.Type.YARN, 128.0, 8192, 1, 4, 16, 2, 1.5), yarn5.ropeScaling());

        ModelSpec llama3v5 = HfConfigReader.read(config(MINIMAL.formatted(", \"rope_parameters\": {\"rope_type\": \"llama3\","
                + " \"rope_theta\": 500000.0, \"factor\": 32.0, \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0,"
                + " \"original_max_position_embeddings\": 8192}")));
        assertEquals(new RopeScaling(RopeScaling.Type.LLAMA3, 32.0, 8192, 1, 4, 32, 1, Double.NaN), llama3v5.ropeScaling());
        assertEquals(500000.0, llama3v5.ropeTheta());
    }

    @Test
    void slidingWindowAndBiasSwitches() throws IOException {
        String qwen2 = MINIMAL.formatted(", \"sliding_window\": 4096, \"use_sliding_window\": true")
                .replace("LlamaForCausalLM", "Qwen2ForCausalLM");
        ModelSpec s = HfConfigReader.read(config(qwen2));
        assertEquals(4096, s.slidingWindow());
        assertTrue(s.attentionBias(), "Qwen2 always has q/k/v bias");

        ModelSpec llamaBias = HfConfigReader.read(config(MINIMAL.formatted(", \"attention_bias\": true, \"sliding_window\": 8")));
        assertTrue(llamaBias.attentionBias());
        assertNull(llamaBias.slidingWindow(), "Llama has no sliding window");
    }

    private void assertRejected(String json, String... fragments) throws IOException {
        Path file = config(json);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> HfConfigReader.read(file));
        assertEquals(file, e.file());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), e.getMessage() + " should mention " + f);
    }

    @Test
    void badConfigsGetOneClearError() throws IOException {
        assertRejected(MINIMAL.formatted("").replace("LlamaForCausalLM", "GemmaForCausalLM"),
                "unsupported architecture GemmaForCausalLM; supported are LlamaForCausalLM, MistralForCausalLM, "
                        + "Qwen2ForCausalLM, Qwen3ForCausalLM");
        assertRejected(MINIMAL.formatted("").replace("\"hidden_size\": 64,", ""), "missing required key \"hidden_size\"");
        assertRejected(MINIMAL.formatted("").replace("\"hidden_size\": 64", "\"hidden_size\": 64.5"), "hidden_size", "integer");
        assertRejected(MINIMAL.formatted("").replace("\"hidden_size\": 64", "\"hidden_size\": \"64\""), "hidden_size");
        assertRejected(MINIMAL.formatted("").replace("\"hidden_size\": 64", "\"hidden_size\": 1e30"), "hidden_size");
        assertRejected(MINIMAL.formatted("").replace("\"vocab_size\": 100", "\"vocab_size\": -1"), "vocab_size", "positive");
        assertRejected(MINIMAL.formatted(", \"num_key_value_heads\": 3"), "multiple of num_key_value_heads");
        assertRejected(MINIMAL.formatted(", \"rope_scaling\": {\"rope_type\": \"longrope\", \"factor\": 2}"),
                "unsupported rope scaling type \"longrope\"");
        assertRejected(MINIMAL.formatted(", \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8}"),
                "rope_scaling.original_max_position_embeddings");
        assertRejected(MINIMAL.formatted(", \"hidden_size\": 65"), "Duplicate field", "hidden_size");
        assertRejected("{\"architectures\": [\"LlamaForCausalLM\"],", "malformed JSON");
        assertRejected("[1, 2]", "JSON object");
        assertRejected("", "JSON object");
    }

    @Test
    void missingConfigNamesTheFile() {
        Path missing = tmp.resolve("nowhere");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> HfConfigReader.readFolder(missing));
        assertEquals(missing.resolve("config.json"), e.file());
    }
}
