package dev.pagoda.engine.sched;

import dev.pagoda.engine.sample.SamplingParams;
import java.util.Optional;

/**
 * What a request must respect to ever run under a {@link SchedulerConfig}: a prompt that leaves
 * room for an output, at most max-num-seqs samples, and a longest sequence the KV pool can hold.
 * The one statement of these rules: the engine's submit checks them in the caller's thread (a
 * client error with the field at fault), the scheduler when a request is added (its guard against
 * a request that would block the queue forever).
 */
public final class RequestLimits {

    /** A broken limit: the request field at fault and why. */
    public record Violation(String field, String message) {}

    private final SchedulerConfig config;

    public RequestLimits(SchedulerConfig config) {
        this.config = config;
    }

    /** The first limit a request of {@code promptTokens} tokens sampled by {@code params} breaks, if any. */
    public Optional<Violation> check(int promptTokens, SamplingParams params) {
        Optional<Violation> prompt = checkPrompt(promptTokens);
        if (prompt.isPresent()) return prompt;
        if (params.n() > config.maxNumSeqs()) {
            return Optional.of(new Violation("n", "n = " + params.n() + " exceeds maxNumSeqs = " + config.maxNumSeqs() + " (--max-num-seqs)"));
        }
        long longest = longestSequence(promptTokens, params.maxTokens());
        long blocks = Math.ceilDiv(longest - 1, config.blockSize()); // the last sampled token is never computed
        if (blocks > config.numBlocks()) {
            return Optional.of(new Violation("max_tokens", "up to " + longest + " tokens need " + blocks + " KV blocks but the pool has "
                    + config.numBlocks() + "; lower max_tokens or the context length, or give the cache more memory"));
        }
        return Optional.empty();
    }

    /** The prompt-length limit alone (the cheapest check, made before the prompt's tokens are read). */
    public Optional<Violation> checkPrompt(int promptTokens) {
        int maxModelLen = config.maxModelLen();
        if (promptTokens < maxModelLen) return Optional.empty();
        return Optional.of(new Violation("prompt", "the prompt has " + promptTokens + " tokens but the model's maximum context length is "
                + maxModelLen + " (maxModelLen is " + maxModelLen + "; prompt plus at least one generated token)"));
    }

    /** Tokens the sequence may reach: prompt plus max_tokens (null: the rest of the context), at most maxModelLen. */
    public long longestSequence(int promptTokens, Integer maxTokens) {
        return Math.min(config.maxModelLen(), maxTokens == null ? Long.MAX_VALUE : (long) promptTokens + maxTokens);
    }
}
