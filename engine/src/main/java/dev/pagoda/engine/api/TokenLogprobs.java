package dev.pagoda.engine.api;

import dev.pagoda.engine.sample.SampledToken;

/**
 * Log-probabilities the sampler reports for one sampled token; the scheduler only carries them from
 * the model runner to the request's output.
 *
 * @param logprob      log-probability of the sampled token
 * @param topTokenIds  the most likely token ids, most likely first; empty when none were asked for
 * @param topLogprobs  their log-probabilities, same order and length as {@code topTokenIds}
 */
public record TokenLogprobs(float logprob, int[] topTokenIds, float[] topLogprobs) {
    public TokenLogprobs {
        if (topTokenIds.length != topLogprobs.length) {
            throw new IllegalArgumentException("topTokenIds has " + topTokenIds.length
                    + " entries but topLogprobs has " + topLogprobs.length);
        }
        topTokenIds = topTokenIds.clone();
        topLogprobs = topLogprobs.clone();
    }

    /** The sampler's log-probabilities in the form requests keep; null when none were asked for. */
    public static TokenLogprobs of(SampledToken token) {
        if (!token.hasLogprob()) return null;
        int[] ids = new int[token.topLogprobs().size()];
        float[] values = new float[ids.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = token.topLogprobs().get(i).tokenId();
            values[i] = token.topLogprobs().get(i).logprob();
        }
        return new TokenLogprobs(token.logprob(), ids, values);
    }
}
