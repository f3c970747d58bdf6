package dev.pagoda.engine.request;

import dev.pagoda.engine.api.TokenLogprobs;
import dev.pagoda.engine.api.FinishReason;
import java.util.List;

/**
 * What one engine step adds to one sequence: the tokens sampled since the last output and, on the
 * last one, why it ended. A request with n > 1 produces one stream per sample, told apart by
 * {@code sampleIndex} and joined by {@code groupId}.
 *
 * @param sequence         the sequence: the id the client submitted and which sample (0 for the parent)
 * @param newTokenIds      tokens appended by this step, possibly none (e.g. an abort)
 * @param newLogprobs      one entry per new token when the runner reported them, else empty
 * @param finish           null while the sequence continues
 * @param numCachedTokens  prompt tokens served from the prefix cache (usage.prompt_tokens_details.cached_tokens)
 * @param promptLogprobs   on the output bringing a request's first token, when it asked for prompt
 *                         logprobs: one per prompt token after the first; else empty
 */
public record RequestOutput(
        SequenceId sequence,
        int[] newTokenIds,
        List<TokenLogprobs> newLogprobs,
        Finish finish,
        int numCachedTokens,
        List<TokenLogprobs> promptLogprobs) {

    /**
     * @param reason       OpenAI finish_reason
     * @param stopTokenId  the stop token id that ended it (vLLM's stop_reason), null otherwise or for EOS
     * @param error        the failure message for {@link FinishReason#ERROR}, else null
     */
    public record Finish(FinishReason reason, Integer stopTokenId, String error) {}

    public RequestOutput {
        newTokenIds = newTokenIds.clone();
        newLogprobs = List.copyOf(newLogprobs);
        promptLogprobs = List.copyOf(promptLogprobs);
    }

    public boolean finished() {
        return finish != null;
    }

    /** The id the client submitted (the parent's id for every sample). */
    public String groupId() {
        return sequence.requestId();
    }

    public int sampleIndex() {
        return sequence.sampleIndex();
    }
}
