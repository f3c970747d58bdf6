package dev.pagoda.engine.sched;

import dev.pagoda.engine.request.TokenLogprobs;

/** The token the runner sampled for one sequence, with its log-probabilities when asked for (else null). */
public record SampledToken(int tokenId, TokenLogprobs logprobs) {
    public static SampledToken of(int tokenId) {
        return new SampledToken(tokenId, null);
    }
}
