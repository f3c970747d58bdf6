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

    /** @param promptLogprobs vLLM's extra, only when asked: see {@link PromptLogprob} */
    record Choice(int index, String text, Logprobs logprobs,
            @JsonProperty("finish_reason") String finishReason, @JsonProperty("stop_reason") Object stopReason,
            @JsonProperty("prompt_logprobs") @JsonInclude(JsonInclude.Include.NON_NULL) List<Map<String, PromptLogprob>> promptLogprobs) {

        Choice(int index, String text, Logprobs logprobs, String finishReason, Object stopReason) {
            this(index, text, logprobs, finishReason, stopReason, null);
        }
    }

    /**
     * One entry of vLLM's {@code prompt_logprobs}: per prompt position (the first is null) a map from
     * token id to this, holding the prompt token and the top ones. {@code rank} (1 = most likely) is
     * known for the top ones; for a prompt token outside them it is null.
     */
    record PromptLogprob(double logprob, Integer rank, @JsonProperty("decoded_token") String decodedToken) {}

    /**
     * The legacy logprobs layout: parallel lists per token; {@code top_logprobs} maps token text to
     * log-probability and, as in vLLM, includes the sampled token.
     */
    record Logprobs(List<String> tokens, @JsonProperty("token_logprobs") List<Double> tokenLogprobs,
            @JsonProperty("top_logprobs") List<Map<String, Double>> topLogprobs,
            @JsonProperty("text_offset") List<Integer> textOffset) {}
}
