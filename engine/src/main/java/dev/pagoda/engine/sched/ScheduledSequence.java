package dev.pagoda.engine.sched;

import dev.pagoda.engine.request.TokenHistory;
import dev.pagoda.engine.sample.SamplingParams;

/**
 * One sequence's share of a step: compute K/V for {@code tokenIds} at positions
 * {@code startPosition ..} and, when {@code sample} is true, sample from the last row's logits.
 *
 * @param requestId     the sequence's id (a child of an n > 1 request has its own)
 * @param tokenIds      tokens to compute this step, in position order
 * @param startPosition position of {@code tokenIds[0]} = tokens already in the cache
 * @param blockTable    physical block of each logical block, covering every position up to the last computed one
 * @param sample        this step reaches the sequence's last known token, so its last row is sampled
 *                      (false for the early chunks of a chunked prefill)
 * @param decode        exactly the one token sampled by the previous step (a classic decode); the
 *                      rest is prefill: prompt chunks and recomputation after preemption
 * @param sampling      what the sampler needs besides logits
 */
public record ScheduledSequence(
        String requestId,
        int[] tokenIds,
        int startPosition,
        int[] blockTable,
        boolean sample,
        boolean decode,
        SamplingContext sampling) {

    public int numTokens() {
        return tokenIds.length;
    }

    /** Tokens in the cache once this step ran: the attention context length of the last row. */
    public int sequenceLength() {
        return startPosition + tokenIds.length;
    }

    /**
     * Rows of this step whose logits give prompt logprobs: row {@code i}, at position
     * {@code startPosition + i}, scores the prompt token after it. Only while the request has no
     * output yet (after that they were reported; a recompute after preemption does not repeat them)
     * and only before the prompt's last token, whose row samples the first output token.
     */
    public int promptLogprobRows() {
        TokenHistory h = sampling.history();
        return promptLogprobRows(sampling.params(), h.numPromptTokens(), h.numTokens(), startPosition, tokenIds.length);
    }

    /** {@link #promptLogprobRows()} for a sequence that computes {@code n} tokens from {@code start}; the scheduler plans with it. */
    public static int promptLogprobRows(SamplingParams params, int numPromptTokens, int numTokens, int start, int n) {
        if (params.promptLogprobs() == null || numTokens > numPromptTokens) return 0;
        return Math.max(0, Math.min(start + n, numPromptTokens - 1) - start);
    }

    /** KV slot of the {@code i}-th scheduled token: {@code block * blockSize + offset}. */
    public int slot(int i, int blockSize) {
        int position = startPosition + i;
        return blockTable[position / blockSize] * blockSize + position % blockSize;
    }
}
