package dev.pagoda.engine.sample;

/** Why a request (or one of its n completions) ended; the OpenAI {@code finish_reason} values vLLM uses. */
public enum FinishReason {
    /** EOS, a stop token id or a stop string. */
    STOP,
    /** max_tokens reached, or the model's context is full. */
    LENGTH,
    /** The client went away or the request was cancelled. */
    ABORT;

    /** The OpenAI API's spelling. */
    public String apiName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
