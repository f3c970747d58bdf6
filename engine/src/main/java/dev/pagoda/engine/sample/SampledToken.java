package dev.pagoda.engine.sample;

import java.util.List;

/**
 * One sampled token.
 *
 * <p>Log-probabilities are vLLM V1's default ({@code logprobs_mode=raw_logprobs}): the
 * log-softmax of the model's raw logits, before logit bias, penalties, temperature and the
 * top-k/top-p/min-p filters. They describe what the model predicted, not the distribution the
 * token was drawn from.
 *
 * @param tokenId     the chosen id
 * @param logprob     the chosen id's log-probability; NaN when the request asked for no logprobs
 * @param topLogprobs the {@code logprobs} most likely ids, most likely first (ties: lower id
 *                    first); empty when none were asked for
 */
public record SampledToken(int tokenId, float logprob, List<TopLogprob> topLogprobs) {

    public SampledToken {
        topLogprobs = List.copyOf(topLogprobs);
    }

    /** A token reported without log-probabilities (the request asked for none). */
    public static SampledToken of(int tokenId) {
        return new SampledToken(tokenId, Float.NaN, List.of());
    }

    public boolean hasLogprob() {
        return !Float.isNaN(logprob);
    }

    /** One entry of the top log-probabilities. */
    public record TopLogprob(int tokenId, float logprob) {
    }
}
