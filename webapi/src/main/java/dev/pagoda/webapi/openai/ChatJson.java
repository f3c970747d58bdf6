package dev.pagoda.webapi.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.pagoda.webapi.openai.tools.ToolCallJson;
import java.util.List;
import java.util.Map;

/** The response shapes of {@code /v1/chat/completions}, key for key as OpenAI sends them. */
final class ChatJson {

    private ChatJson() {}

    static final String OBJECT = "chat.completion";
    static final String CHUNK_OBJECT = "chat.completion.chunk";

    /** @param promptLogprobs vLLM's extra, only when asked: see {@link CompletionJson.PromptLogprob} */
    record Completion(String id, String object, long created, String model, List<Choice> choices, UsageJson usage,
            @JsonProperty("system_fingerprint") String systemFingerprint,
            @JsonProperty("prompt_logprobs") @JsonInclude(JsonInclude.Include.NON_NULL)
            List<Map<String, CompletionJson.PromptLogprob>> promptLogprobs) {}

    /** @param stopReason vLLM's extra: the stop string or token id that ended the choice, else null */
    record Choice(int index, Message message, ChatLogprobs logprobs,
            @JsonProperty("finish_reason") String finishReason, @JsonProperty("stop_reason") Object stopReason) {}

    /**
     * @param toolCalls        left out when there are none, as OpenAI does
     * @param reasoningContent vLLM's field for the reasoning block ({@code --reasoning-parser}); left out when none
     */
    record Message(String role, String content, String refusal,
            @JsonProperty("tool_calls") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ToolCallJson> toolCalls,
            @JsonProperty("reasoning_content") @JsonInclude(JsonInclude.Include.NON_NULL) String reasoningContent) {}

    /** {@code usage} appears only on the final usage chunk, as with {@code include_usage}. */
    record Chunk(String id, String object, long created, String model, List<ChunkChoice> choices,
            @JsonInclude(JsonInclude.Include.NON_NULL) UsageJson usage) {}

    record ChunkChoice(int index, Delta delta, ChatLogprobs logprobs,
            @JsonProperty("finish_reason") String finishReason, @JsonProperty("stop_reason") Object stopReason) {}

    /**
     * The first chunk of a choice carries the role, later ones the new content, reasoning or tool-call
     * pieces; absent keys are left out.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Delta(String role, String content, @JsonProperty("reasoning_content") String reasoningContent,
            @JsonProperty("tool_calls") List<ToolCallJson.Delta> toolCalls) {}

    record ChatLogprobs(List<TokenLogprob> content, String refusal) {}

    /** @param bytes the token's UTF-8 bytes, as OpenAI sends them so clients can join partial characters */
    record TokenLogprob(String token, double logprob, List<Integer> bytes,
            @JsonProperty("top_logprobs") List<TopLogprob> topLogprobs) {}

    record TopLogprob(String token, double logprob, List<Integer> bytes) {}
}
