package dev.pagoda.engine.sched;

/**
 * Scheduler and KV-cache settings, with vLLM's names.
 *
 * @param maxNumSeqs                most sequences in one step (a request with n > 1 counts n)
 * @param maxNumBatchedTokens       most tokens computed in one step, all sequences together
 * @param maxModelLen               context length: prompt + output tokens of one sequence
 * @param blockSize                 tokens per KV block
 * @param numBlocks                 KV blocks in the pool (vLLM's num_gpu_blocks)
 * @param enablePrefixCaching       reuse cached full blocks across requests
 * @param enableChunkedPrefill      split prompts longer than the step's budget over several steps
 * @param longPrefillTokenThreshold when positive, one sequence computes at most this many tokens per
 *                                  step, so long prompts cannot starve decodes; 0 disables
 * @param maxWaitingRequests        {@link Scheduler#addRequest} throws {@link dev.pagoda.engine.api.QueueFullException} beyond this
 * @param policy                    waiting order and preemption victim
 */
public record SchedulerConfig(
        int maxNumSeqs,
        int maxNumBatchedTokens,
        int maxModelLen,
        int blockSize,
        int numBlocks,
        boolean enablePrefixCaching,
        boolean enableChunkedPrefill,
        int longPrefillTokenThreshold,
        int maxWaitingRequests,
        SchedulingPolicy policy) {

    public SchedulerConfig {
        positive("maxNumSeqs", maxNumSeqs);
        positive("maxNumBatchedTokens", maxNumBatchedTokens);
        positive("maxModelLen", maxModelLen);
        positive("blockSize", blockSize);
        positive("numBlocks", numBlocks);
        positive("maxWaitingRequests", maxWaitingRequests);
        if (longPrefillTokenThreshold < 0) {
            throw new IllegalArgumentException("longPrefillTokenThreshold must be >= 0 (0 disables), got " + longPrefillTokenThreshold);
        }
        if (policy == null) throw new IllegalArgumentException("policy must be FCFS or PRIORITY, got null");
        if (!enableChunkedPrefill && maxNumBatchedTokens < maxModelLen) {
            // Without chunking a whole prompt must fit one step, so a prompt near maxModelLen could never run.
            throw new IllegalArgumentException("maxNumBatchedTokens (" + maxNumBatchedTokens + ") is smaller than maxModelLen ("
                    + maxModelLen + "); enable chunked prefill or raise maxNumBatchedTokens");
        }
        if (longPrefillTokenThreshold > 0 && !enableChunkedPrefill) {
            throw new IllegalArgumentException("longPrefillTokenThreshold splits prompts over steps and needs enableChunkedPrefill");
        }
    }

    /** vLLM-like defaults for a pool of {@code numBlocks} blocks: 256 sequences, 8192 tokens per step, chunked prefill and prefix caching on. */
    public static SchedulerConfig defaults(int maxModelLen, int numBlocks) {
        return new SchedulerConfig(256, 8192, maxModelLen, 16, numBlocks, true, true, 0, 4096, SchedulingPolicy.FCFS);
    }

    private static void positive(String name, int value) {
        if (value < 1) throw new IllegalArgumentException(name + " must be >= 1, got " + value);
    }
}
