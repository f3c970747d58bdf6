package dev.pagoda.engine.model;

/**
 * One step's flattened batch, as the runner builds it from the scheduler's output: all
 * scheduled tokens of all sequences back to back (T tokens, S sequences). Sequence s owns tokens
 * {@code [queryStart[s], queryStart[s+1])}; they are the last tokens of its
 * {@code contextLens[s]} cached tokens, so a prefill chunk and a one-token decode look alike.
 * The arrays are the runner's, built per step, and not copied.
 *
 * @param tokenIds    (T) token ids
 * @param positions   (T) position of each token in its sequence (drives RoPE)
 * @param slotMapping (T) KV cache slot each token's K/V is written to; -1 skips the write
 * @param queryStart  (S + 1) offsets into the T tokens; queryStart[0] = 0, queryStart[S] = T
 * @param contextLens (S) tokens in the sequence's cache after this step's writes
 * @param blockTables (S) the sequence's block ids, logical block 0 first
 * @param logitRows   (R) token rows whose logits are wanted, e.g. the last of each sampling sequence
 */
public record ForwardBatch(
        int[] tokenIds,
        int[] positions,
        int[] slotMapping,
        int[] queryStart,
        int[] contextLens,
        int[][] blockTables,
        int[] logitRows) {

    public ForwardBatch {
        int t = tokenIds.length;
        if (t == 0) throw new IllegalArgumentException("a forward batch needs at least one token");
        if (positions.length != t || slotMapping.length != t) {
            throw new IllegalArgumentException("batch has " + t + " token ids but " + positions.length
                    + " positions and " + slotMapping.length + " slots");
        }
        int s = contextLens.length;
        if (queryStart.length != s + 1 || blockTables.length != s) {
            throw new IllegalArgumentException("batch has " + s + " sequences (context lengths) but "
                    + queryStart.length + " query offsets (needs " + (s + 1) + ") and " + blockTables.length + " block tables");
        }
        if (queryStart[0] != 0 || queryStart[s] != t) {
            throw new IllegalArgumentException("query offsets must run from 0 to " + t + ", got "
                    + queryStart[0] + " .. " + queryStart[s]);
        }
        for (int i = 0; i < s; i++) {
            if (queryStart[i + 1] < queryStart[i]) {
                throw new IllegalArgumentException("query offsets decrease at sequence " + i);
            }
            // RoPE reads positions, attention reads context lengths: they must tell the same story.
            int first = contextLens[i] - (queryStart[i + 1] - queryStart[i]);
            for (int row = queryStart[i]; row < queryStart[i + 1]; row++) {
                if (positions[row] != first + row - queryStart[i]) {
                    throw new IllegalArgumentException("sequence " + i + ": token row " + row + " has position "
                            + positions[row] + " but its context length " + contextLens[i] + " puts it at "
                            + (first + row - queryStart[i]));
                }
            }
        }
        for (int r : logitRows) {
            if (r < 0 || r >= t) throw new IllegalArgumentException("logit row " + r + " outside [0, " + t + ")");
        }
    }

    public int numTokens() {
        return tokenIds.length;
    }

    public int numSeqs() {
        return contextLens.length;
    }
}
