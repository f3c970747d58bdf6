package dev.pagoda.webapi.openai;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.pagoda.engine.api.Usage;
import java.util.List;

/** OpenAI's {@code usage} object, with {@code prompt_tokens_details.cached_tokens} from prefix-cache hits. */
record UsageJson(
        @JsonProperty("prompt_tokens") int promptTokens,
        @JsonProperty("completion_tokens") int completionTokens,
        @JsonProperty("total_tokens") int totalTokens,
        @JsonProperty("prompt_tokens_details") PromptTokensDetails promptTokensDetails) {

    record PromptTokensDetails(@JsonProperty("cached_tokens") int cachedTokens) {}

    /** Several prompts of one completions request add up, as in vLLM. */
    static UsageJson sum(List<Usage> usages) {
        int prompt = 0, completion = 0, cached = 0;
        for (Usage u : usages) {
            prompt += u.promptTokens();
            completion += u.completionTokens();
            cached += u.cachedTokens();
        }
        return new UsageJson(prompt, completion, prompt + completion, new PromptTokensDetails(cached));
    }
}
