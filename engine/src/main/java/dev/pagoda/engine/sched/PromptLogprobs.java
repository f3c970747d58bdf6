package dev.pagoda.engine.sched;

import dev.pagoda.engine.api.TokenLogprobs;
import java.util.List;

/**
 * Log-probabilities of prompt tokens that one step's rows gave one sequence (vLLM's
 * {@code prompt_logprobs}): entry {@code i} is the logprob of the prompt token at position
 * {@code firstPosition + i}, given every token before it. Position 0 never has one.
 *
 * @param firstPosition the prompt position of the first entry, at least 1
 * @param logprobs      one per consecutive prompt position
 */
public record PromptLogprobs(int firstPosition, List<TokenLogprobs> logprobs) {
    public PromptLogprobs {
        if (firstPosition < 1) throw new IllegalArgumentException("prompt position 0 has no logprob, got first position " + firstPosition);
        logprobs = List.copyOf(logprobs);
    }
}
