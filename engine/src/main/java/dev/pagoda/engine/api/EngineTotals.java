package dev.pagoda.engine.api;

/**
 * Counters since the engine started; each only grows.
 *
 * @param steps                  engine iterations run
 * @param promptTokens           prompt tokens computed (prefix-cache hits excluded)
 * @param generationTokens       tokens sampled
 * @param preemptions            requests preempted
 * @param prefixCacheQueries     prompt tokens looked up in the prefix cache
 * @param prefixCacheHits        of those, tokens found
 * @param finishedStop           requests finished by EOS, stop token or stop string
 * @param finishedLength         requests finished by max_tokens or context length
 * @param finishedAbort          requests aborted
 * @param finishedError          requests failed
 */
public record EngineTotals(
        long steps,
        long promptTokens,
        long generationTokens,
        long preemptions,
        long prefixCacheQueries,
        long prefixCacheHits,
        long finishedStop,
        long finishedLength,
        long finishedAbort,
        long finishedError) {

    public static final EngineTotals ZERO = new EngineTotals(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
