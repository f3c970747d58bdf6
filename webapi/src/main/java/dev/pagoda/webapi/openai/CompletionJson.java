package dev.pagoda.webapi.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** The response shapes of {@code /v1/completions} (legacy completions), key for key as OpenAI sends them. */
final class CompletionJson {

    private CompletionJson() {}

    static final String OBJECT = "text_completion";

    /** A whole response and, with {@code usage} left out until the last, each streamed chunk. */
    record Completion(String id, String object, long created, String model, List<Choice> choices,
            @JsonInclude(JsonInclude.Include.NON_NULL) UsageJson usage) {}

    record Choice(int index, String text, Logprobs logprobs,
            @JsonProperty("finish_reason") String finishReason, @JsonProperty("stop_reason") Object stopReason) {}

    /**
     * The legacy logprobs layout: parallel lists per token; {@code top_logprobs} maps token text to
     * log-probability and, as in vLLM, includes the sampled token.
     */
    record Logprobs(List<String> tokens, @JsonProperty("token_logprobs") List<Double> tokenLogprobs,
            @JsonProperty("top_logprobs") List<Map<String, Double>> topLogprobs,
            @JsonProperty("text_offset") List<Integer> textOffset) {}
}
