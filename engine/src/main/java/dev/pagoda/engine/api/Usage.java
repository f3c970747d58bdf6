package dev.pagoda.engine.api;

/**
 * Token counts of a finished request, as OpenAI's {@code usage} reports them.
 *
 * @param promptTokens     prompt length
 * @param completionTokens generated tokens over all samples
 * @param cachedTokens     prompt tokens served from the prefix cache
 */
public record Usage(int promptTokens, int completionTokens, int cachedTokens) {
    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}
