package dev.pagoda.webapi.server;

/**
 * What one request may cost the server before the engine sees it.
 *
 * @param json                 the JSON body limits
 * @param bodyBudgetBytes      bytes of request bodies read and parsed at once, over all requests (a request
 *                             waits for its share, 503 after a while): many clients sending large bodies at
 *                             once queue instead of exhausting the heap
 * @param tokenizerConcurrency prompts tokenized at once (the tokenizer is native code and allocates a lot
 *                             for long texts); others wait their turn
 */
public record RequestLimits(JsonLimits json, long bodyBudgetBytes, int tokenizerConcurrency) {

    public RequestLimits {
        if (bodyBudgetBytes < json.maxBodyBytes()) {
            throw new IllegalArgumentException("the body budget (" + bodyBudgetBytes + " bytes) must hold one body of "
                    + json.maxBodyBytes() + " bytes");
        }
        if (tokenizerConcurrency < 1) throw new IllegalArgumentException("tokenizer concurrency must be at least 1, got " + tokenizerConcurrency);
    }

    /** Four largest bodies at once; half the cores tokenizing, so the engine loop keeps one. */
    public static RequestLimits defaults(JsonLimits json) {
        return new RequestLimits(json, 4 * json.maxBodyBytes(), Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
    }

    public static final RequestLimits DEFAULTS = defaults(JsonLimits.DEFAULTS);

    public RequestLimits withMaxBodyBytes(long bytes) {
        JsonLimits j = json.withMaxBodyBytes(bytes);
        return new RequestLimits(j, Math.max(bodyBudgetBytes, 4 * bytes), tokenizerConcurrency);
    }
}
