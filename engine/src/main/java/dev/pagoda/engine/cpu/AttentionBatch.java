package dev.pagoda.engine.cpu;

/**
 * What attention needs to know about a flattened batch: where each sequence's query tokens sit
 * among the batch's T tokens, how many tokens its cache holds after this step's writes, and
 * which blocks hold them. The query tokens of sequence s are the last
 * {@code queryStart[s+1] - queryStart[s]} of its {@code contextLens[s]} cached tokens.
 * Arrays are the runner's per-step arrays, shared, not copied.
 *
 * @param queryStart  (S + 1) offsets into the batch's tokens; queryStart[S] = T
 * @param contextLens (S) cached tokens per sequence, this step's included
 * @param blockTables (S) block ids per sequence, logical block i first
 */
public record AttentionBatch(int[] queryStart, int[] contextLens, int[][] blockTables) {

    public int numSeqs() {
        return contextLens.length;
    }

    public int numTokens() {
        return queryStart[queryStart.length - 1];
    }

    public int queryLen(int seq) {
        return queryStart[seq + 1] - queryStart[seq];
    }
}
