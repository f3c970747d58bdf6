package dev.pagoda.engine.sched;

import dev.pagoda.engine.request.SequenceId;
import dev.pagoda.engine.sample.SamplingParams;
import java.util.Arrays;

/**
 * One sequence's share of a step, as data (vLLM V1's {@code CachedRequestData} for one request):
 * compute K/V for {@code tokenIds} at positions {@code startPosition ..} and, when {@code sample}
 * is true, sample from the last row's logits. The block table is sent as a change: the entries
 * from {@code newBlocksFrom} on are {@code newBlocks} (new blocks appended, a copy-on-write block
 * replaced, or, for a sequence new to the runner or resumed after preemption, the whole table).
 *
 * @param id            the sequence (a child of an n > 1 request has its own sample index)
 * @param tokenIds      tokens to compute this step, in position order; {@code Request.PENDING_TOKEN}
 *                      where the previous step, still running, samples it
 * @param startPosition position of {@code tokenIds[0]} = tokens already in the cache
 * @param newBlocksFrom first block-table entry that changed since the runner last heard of this sequence
 * @param newBlocks     the table's entries from {@code newBlocksFrom} to its end
 * @param sample        this step reaches the sequence's last known token, so its last row is sampled
 *                      (false for the early chunks of a chunked prefill)
 * @param decode        exactly the one token sampled by the previous step (a classic decode); the
 *                      rest is prefill: prompt chunks and recomputation after preemption
 */
public record ScheduledSequence(
        SequenceId id,
        int[] tokenIds,
        int startPosition,
        int newBlocksFrom,
        int[] newBlocks,
        boolean sample,
        boolean decode) {

    public ScheduledSequence {
        if (newBlocksFrom < 0) throw new IllegalArgumentException(id + ": block-table change from entry " + newBlocksFrom);
    }

    public int numTokens() {
        return tokenIds.length;
    }

    /** Tokens in the cache once this step ran: the attention context length of the last row. */
    public int sequenceLength() {
        return startPosition + tokenIds.length;
    }

    /**
     * Rows of a step that computes {@code n} tokens from position {@code start} whose logits give prompt
     * logprobs: row {@code i}, at position {@code start + i}, scores the prompt token after it. Only
     * while the sequence has no output yet (after that they were reported; a recompute after
     * preemption does not repeat them) and only before the prompt's last token, whose row samples the
     * first output token. The scheduler plans with it and the runners lay their rows out by it.
     */
    public static int promptLogprobRows(SamplingParams params, int numPromptTokens, boolean hasOutput, int start, int n) {
        if (params.promptLogprobs() == null || hasOutput) return 0;
        return Math.max(0, Math.min(start + n, numPromptTokens - 1) - start);
    }

    /**
     * The block table after this step's change, from the one the runner held (a fresh array
     * when anything changed; {@code table} itself otherwise).
     */
    public int[] applyBlocks(int[] table) {
        if (newBlocks.length == 0 && newBlocksFrom >= table.length) return table;
        if (newBlocksFrom > table.length) {
            throw new IllegalStateException(id + ": the block-table change starts at entry " + newBlocksFrom + " of a table of "
                    + table.length + " (a step was missed)");
        }
        int[] out = Arrays.copyOf(table, newBlocksFrom + newBlocks.length);
        System.arraycopy(newBlocks, 0, out, newBlocksFrom, newBlocks.length);
        return out;
    }

    /** KV slot of the {@code i}-th scheduled token under {@code table}: {@code block * blockSize + offset}. */
    public int slot(int[] table, int i, int blockSize) {
        int position = startPosition + i;
        return table[position / blockSize] * blockSize + position % blockSize;
    }
}
