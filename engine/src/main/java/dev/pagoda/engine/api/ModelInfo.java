package dev.pagoda.engine.api;

import dev.pagoda.catalog.chat.ChatTemplates;
import dev.pagoda.catalog.config.GenerationDefaults;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.tokenizer.Tokenizer;
import java.util.List;
import java.util.Optional;

/**
 * What an engine serves.
 *
 * @param servedNames        the names clients may use ({@code --served-model-name}, else the model's folder/file name
 *                           or repo id); the first is the one reported, as vLLM reports it
 * @param source             where it came from: a folder, a .gguf file or a built-in shape name
 * @param spec               its shape
 * @param tokenizer          absent for built-in shapes with dummy weights (token ids only)
 * @param chatTemplates      absent when the model ships none and none was given
 * @param generationDefaults the model's generation_config.json (empty when absent)
 * @param maxModelLen        longest prompt + completion accepted
 * @param cache              the KV cache's size
 * @param device             "cpu" or "cuda:N"
 * @param weightDtype        how the weights are held (e.g. "F32", "BF16", "Q8_0")
 */
public record ModelInfo(
        List<String> servedNames,
        String source,
        ModelSpec spec,
        Optional<Tokenizer> tokenizer,
        Optional<ChatTemplates> chatTemplates,
        GenerationDefaults generationDefaults,
        int maxModelLen,
        CacheInfo cache,
        String device,
        String weightDtype) {

    public ModelInfo {
        servedNames = List.copyOf(servedNames);
        if (servedNames.isEmpty()) throw new IllegalArgumentException("a model needs a served name");
    }

    /** A model served under one name. */
    public ModelInfo(String servedName, String source, ModelSpec spec, Optional<Tokenizer> tokenizer,
                     Optional<ChatTemplates> chatTemplates, GenerationDefaults generationDefaults, int maxModelLen,
                     CacheInfo cache, String device, String weightDtype) {
        this(List.of(servedName), source, spec, tokenizer, chatTemplates, generationDefaults, maxModelLen, cache, device,
                weightDtype);
    }

    /** The name responses and metrics report: the first served name. */
    public String servedName() {
        return servedNames.getFirst();
    }

    /** Whether a request's {@code model} names this model. */
    public boolean answersTo(String name) {
        return servedNames.contains(name);
    }

    /**
     * @param blockSize          tokens per block
     * @param numBlocks          blocks in the pool
     * @param bytesPerBlock      K and V of every layer for one block
     * @param maxConcurrency     sequences of maxModelLen tokens that fit at once
     */
    public record CacheInfo(int blockSize, int numBlocks, long bytesPerBlock, double maxConcurrency) {}
}
