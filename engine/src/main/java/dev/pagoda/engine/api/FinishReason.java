package dev.pagoda.engine.api;

/** Why a sequence ended, as the OpenAI API names it ({@link #apiName()}). */
public enum FinishReason {
    /** EOS, a stop token id or a stop string. */
    STOP("stop"),
    /** max_tokens or the model's context length reached. */
    LENGTH("length"),
    ABORT("abort"),
    ERROR("error");

    private final String apiName;

    FinishReason(String apiName) {
        this.apiName = apiName;
    }

    public String apiName() {
        return apiName;
    }
}
