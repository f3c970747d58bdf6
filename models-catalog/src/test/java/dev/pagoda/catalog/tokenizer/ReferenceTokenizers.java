package dev.pagoda.catalog.tokenizer;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The real tokenizers of the npm reference packages, loaded once per test JVM for all test classes
 * (loading and the node reference run take seconds each): transformers.js results over
 * {@link ParityCorpus}, our HF-library tokenizer, and our GGUF tokenizers built from converted metadata.
 */
final class ReferenceTokenizers {

    static final List<String> NAMES = List.of("llama3", "qwen3", "llama2", "gemma3");

    /**
     * @param ggufByScores for SentencePiece vocabularies, the GGUF tokenizer without merges in its
     *     metadata (llama.cpp's merging by score); null for byte-level ones
     */
    record Loaded(String name, List<String> texts, List<TransformersJsReference.Result> reference, HfTokenizer hf,
                  GgufTokenizer gguf, GgufTokenizer ggufByScores) {

        List<Tokenizer> ggufs() {
            return ggufByScores == null ? List.of(gguf) : List.of(gguf, ggufByScores);
        }
    }

    private static final Map<String, Loaded> LOADED = new ConcurrentHashMap<>();

    private ReferenceTokenizers() {}

    static Loaded get(String name) {
        return LOADED.computeIfAbsent(name, ReferenceTokenizers::load);
    }

    private static Loaded load(String name) {
        List<String> texts = ParityCorpus.all();
        var reference = TransformersJsReference.run(name, texts);
        Path dir = TransformersJsReference.modelDir(name);
        HfTokenizer hf = Tokenizers.load(dir);
        Path json = dir.resolve("tokenizer.json");
        Map<String, Object> meta = GgufTokenizerMetadata.fromHfTokenizerJson(json, hf.config());
        GgufTokenizer gguf = GgufTokenizer.fromMetadata(meta, json);
        GgufTokenizer byScores = null;
        if (meta.get("tokenizer.ggml.model").equals("llama")) {
            Map<String, Object> withoutMerges = new HashMap<>(meta);
            withoutMerges.remove("tokenizer.ggml.merges");
            byScores = GgufTokenizer.fromMetadata(withoutMerges, json);
        }
        return new Loaded(name, texts, reference, hf, gguf, byScores);
    }
}
