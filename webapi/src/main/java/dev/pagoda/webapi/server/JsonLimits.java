package dev.pagoda.webapi.server;

/**
 * What a JSON request body may hold; each limit is enforced by Jackson while it parses
 * ({@link com.fasterxml.jackson.core.StreamReadConstraints}), so nothing larger is ever built.
 *
 * @param maxBodyBytes   larger bodies get 413 before they are read
 * @param maxDepth       nesting of arrays and objects (400 beyond)
 * @param maxStringChars one string value (413 beyond)
 * @param maxNumberChars digits of one number (400 beyond; long numbers cost quadratic time to parse)
 * @param maxTokens      JSON tokens in the whole body (413 beyond): bounds the tree a body of small values makes
 */
public record JsonLimits(long maxBodyBytes, int maxDepth, int maxStringChars, int maxNumberChars, int maxTokens) {

    /**
     * vLLM has no body limit of its own; 32 MiB holds any prompt that fits a context window. 128 levels
     * hold the deepest JSON Schemas clients send in response_format and tools; a million tokens hold a
     * 128k-token prompt sent as ids several times over.
     */
    public static final JsonLimits DEFAULTS = new JsonLimits(32L << 20, 128, 8 << 20, 100, 1 << 20);

    public JsonLimits {
        if (maxBodyBytes < 1) throw new IllegalArgumentException("the body limit must be positive, got " + maxBodyBytes);
        if (maxDepth < 1 || maxStringChars < 1 || maxNumberChars < 1 || maxTokens < 1) {
            throw new IllegalArgumentException("JSON limits must be positive: " + this);
        }
    }

    public JsonLimits withMaxBodyBytes(long bytes) {
        return new JsonLimits(bytes, maxDepth, maxStringChars, maxNumberChars, maxTokens);
    }
}
