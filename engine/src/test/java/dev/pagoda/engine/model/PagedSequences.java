package dev.pagoda.engine.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A toy block manager for tests: sequences take blocks from a shuffled free list as they grow,
 * so block tables are non-contiguous and interleaved between sequences, and it builds the
 * flattened {@link ForwardBatch} for a step from (sequence, tokens-to-compute) chunks.
 */
final class PagedSequences {

    /** One sequence: its whole token list, its block table, and how many tokens are cached. */
    static final class Seq {
        final List<Integer> tokens = new ArrayList<>();
        final List<Integer> blocks = new ArrayList<>();
        int computed;

        Seq(int[] prompt) {
            for (int t : prompt) tokens.add(t);
        }

        int[] tokenArray() {
            return tokens.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    /** Compute the next {@code count} uncomputed tokens of {@code seq} this step. */
    record Chunk(Seq seq, int count) {}

    private final int blockSize;
    private final List<Integer> free = new ArrayList<>();

    PagedSequences(int numBlocks, int blockSize, Random random) {
        this.blockSize = blockSize;
        for (int b = 0; b < numBlocks; b++) free.add(b);
        Collections.shuffle(free, random);
    }

    /** Builds the batch for {@code chunks}, allocating blocks; every token row gets logits. */
    ForwardBatch step(List<Chunk> chunks) {
        int total = chunks.stream().mapToInt(Chunk::count).sum();
        int[] tokenIds = new int[total];
        int[] positions = new int[total];
        int[] slots = new int[total];
        int[] queryStart = new int[chunks.size() + 1];
        int[] contextLens = new int[chunks.size()];
        int[][] tables = new int[chunks.size()][];
        int row = 0;
        for (int s = 0; s < chunks.size(); s++) {
            Chunk c = chunks.get(s);
            Seq seq = c.seq();
            queryStart[s] = row;
            for (int i = 0; i < c.count(); i++, row++) {
                int pos = seq.computed + i;
                while (seq.blocks.size() * blockSize <= pos) seq.blocks.add(free.removeLast());
                tokenIds[row] = seq.tokens.get(pos);
                positions[row] = pos;
                slots[row] = seq.blocks.get(pos / blockSize) * blockSize + pos % blockSize;
            }
            seq.computed += c.count();
            contextLens[s] = seq.computed;
            tables[s] = seq.blocks.stream().mapToInt(Integer::intValue).toArray();
        }
        queryStart[chunks.size()] = row;
        int[] logitRows = new int[total];
        for (int i = 0; i < total; i++) logitRows[i] = i;
        return new ForwardBatch(tokenIds, positions, slots, queryStart, contextLens, tables, logitRows);
    }
}
