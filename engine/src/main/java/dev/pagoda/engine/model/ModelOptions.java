package dev.pagoda.engine.model;

/**
 * Sizes a model runner fixes up front so a step allocates nothing.
 *
 * @param maxTokens   most tokens in one flattened batch (the scheduler's token budget)
 * @param maxModelLen longest sequence (RoPE table rows); at most the model's context length
 */
public record ModelOptions(int maxTokens, int maxModelLen) {

    public ModelOptions {
        if (maxTokens < 1) throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
        if (maxModelLen < 1) throw new IllegalArgumentException("maxModelLen must be >= 1, got " + maxModelLen);
    }
}
