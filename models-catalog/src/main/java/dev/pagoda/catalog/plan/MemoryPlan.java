package dev.pagoda.catalog.plan;

/**
 * How memory divides between weights, reserve and the paged KV cache; see {@link MemoryPlanner}
 * for the formulas.
 *
 * @param request         what was planned for
 * @param weightBytes     bytes of all weights
 * @param kvBytesPerToken K and V of one token over all layers
 * @param usableBytes     floor(memory × utilization)
 * @param kvBudgetBytes   usable − weights − reserve; negative when they do not fit
 * @param numBlocks       KV blocks that fit in the budget (0 when none)
 * @param maxCachedTokens numBlocks × blockSize
 * @param problem         why nothing can be served ("does not fit: …"), or null
 */
public record MemoryPlan(
        MemoryPlanRequest request,
        long weightBytes,
        long kvBytesPerToken,
        long usableBytes,
        long kvBudgetBytes,
        long numBlocks,
        long maxCachedTokens,
        String problem) {

    public boolean fits() {
        return problem == null;
    }

    public long kvBytesPerBlock() {
        return kvBytesPerToken * request.blockSize();
    }

    /**
     * Sequences of {@code contextLength} tokens that can be cached at once: each needs
     * ceil(contextLength / blockSize) whole blocks. 0 when not even one fits.
     */
    public long maxConcurrentSequences(int contextLength) {
        if (contextLength < 1) throw new IllegalArgumentException("context length must be at least 1, got " + contextLength);
        long blocksPerSequence = Math.ceilDiv(contextLength, request.blockSize());
        return numBlocks / blocksPerSequence;
    }
}
