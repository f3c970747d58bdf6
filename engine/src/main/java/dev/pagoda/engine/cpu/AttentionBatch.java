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

    /**
     * Checks the batch against the cache so a bad block table is an error naming the sequence,
     * not a wrong read.
     */
    public void checkAgainst(KvCacheShape cache) {
        if (queryStart.length != numSeqs() + 1 || blockTables.length != numSeqs()) {
            throw new IllegalArgumentException("batch has " + numSeqs() + " context lengths, " + queryStart.length
                    + " query offsets (needs one more) and " + blockTables.length + " block tables");
        }
        for (int s = 0; s < numSeqs(); s++) {
            int queryLen = queryLen(s);
            int context = contextLens[s];
            if (queryLen < 0 || context < queryLen) {
                throw new IllegalArgumentException("sequence " + s + ": " + queryLen + " query tokens but "
                        + context + " cached tokens (the queries must be the last cached tokens)");
            }
            int[] table = blockTables[s];
            int needed = (context + cache.blockSize() - 1) / cache.blockSize();
            if (table.length < needed) {
                throw new IllegalArgumentException("sequence " + s + ": " + context + " cached tokens need "
                        + needed + " blocks of " + cache.blockSize() + ", block table has " + table.length);
            }
            for (int i = 0; i < needed; i++) {
                if (table[i] < 0 || table[i] >= cache.numBlocks()) {
                    throw new IllegalArgumentException("sequence " + s + ": block table entry " + i + " = "
                            + table[i] + " outside [0, " + cache.numBlocks() + ")");
                }
            }
        }
    }
}
