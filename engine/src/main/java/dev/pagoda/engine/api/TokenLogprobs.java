package dev.pagoda.engine.api;

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
}
