package dev.pagoda.engine.telemetry;

import java.util.List;

/**
 * What one engine step did, published to listeners (GUI, /metrics). Immutable.
 *
 * @param stepIndex     0 for the first step
 * @param wallTimeNanos the step's duration as the engine loop measured it (schedule + forward + update)
 * @param scheduled     per sequence, the tokens it computed this step
 * @param queues        request counts after the step
 * @param kvUsage       held blocks over all blocks after the step, 0..1 (cached free blocks count as free)
 * @param prefixCache   prefix-cache lookups of requests admitted this step
 * @param preemptions   requests preempted this step
 */
public record StepStats(
        long stepIndex,
        long wallTimeNanos,
        List<ScheduledTokens> scheduled,
        QueueCounts queues,
        double kvUsage,
        PrefixCacheStats prefixCache,
        int preemptions) {

    /** One sequence's tokens in the step: prompt or recompute (prefill) vs the one freshly sampled token (decode). */
    public record ScheduledTokens(String requestId, int prefillTokens, int decodeTokens) {}

    /** @param preempted waiting requests that were preempted (a subset of {@code waiting}) */
    public record QueueCounts(int running, int waiting, int preempted) {}

    /** Tokens looked up in the prefix cache and tokens found there. */
    public record PrefixCacheStats(long queryTokens, long hitTokens) {
        public static final PrefixCacheStats NONE = new PrefixCacheStats(0, 0);

        public PrefixCacheStats plus(PrefixCacheStats other) {
            return new PrefixCacheStats(queryTokens + other.queryTokens, hitTokens + other.hitTokens);
        }

        public double hitRate() {
            return queryTokens == 0 ? 0.0 : hitTokens / (double) queryTokens;
        }
    }

    public StepStats {
        scheduled = List.copyOf(scheduled);
    }

    public int prefillTokens() {
        return scheduled.stream().mapToInt(ScheduledTokens::prefillTokens).sum();
    }

    public int decodeTokens() {
        return scheduled.stream().mapToInt(ScheduledTokens::decodeTokens).sum();
    }
}
