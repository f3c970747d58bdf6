package dev.pagoda.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.engine.testing.F32;
import dev.pagoda.engine.testing.Workers;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Paged attention against naive attention over each sequence's contiguous K/V. Unused cache
 * slots hold NaN, so reading anything outside a sequence's blocks poisons the result.
 */
@ExtendWith(Workers.class)
class PagedAttentionTest {

    /** One randomly drawn scenario. */
    private record Case(int numKvHeads, int group, int headDim, int blockSize, int window, int[] context,
                        int[] queryLen, boolean shareFirstBlock) {
        int heads() {
            return numKvHeads * group;
        }

        @Override
        public String toString() {
            return "kvHeads=" + numKvHeads + " group=" + group + " headDim=" + headDim + " blockSize=" + blockSize
                    + " window=" + window + " context=" + java.util.Arrays.toString(context)
                    + " queryLen=" + java.util.Arrays.toString(queryLen);
        }
    }

    private static Case draw(Random r, int group, int blockSize) {
        int seqs = 1 + r.nextInt(4);
        int[] context = new int[seqs], query = new int[seqs];
        for (int s = 0; s < seqs; s++) {
            context[s] = 1 + r.nextInt(40);
            int kind = r.nextInt(3); // decode, whole prefill, prefill chunk
            query[s] = kind == 0 ? 1 : kind == 1 ? context[s] : 1 + r.nextInt(context[s]);
        }
        int window = r.nextInt(3) == 0 ? 1 + r.nextInt(12) : 0;
        int headDim = new int[] {4, 8, 16, 5, 64}[r.nextInt(5)];
        return new Case(1 + r.nextInt(3), group, headDim, blockSize, window, context, query, r.nextBoolean());
    }

    @Test
    void matchesNaiveAttentionAcrossGqaRatiosBlockSizesHolesAndSharedBlocks(Parallel parallel) {
        // 1 thread: work items are whole KV-head groups; 16 threads: mostly single query heads.
        try (Parallel single = new Parallel(1); Parallel many = new Parallel(16)) {
            int seed = 0;
            for (int group : new int[] {1, 2, 4, 7}) {
                for (int blockSize : new int[] {1, 8, 16}) {
                    for (int rep = 0; rep < 6; rep++, seed++) {
                        Parallel workers = new Parallel[] {parallel, single, many}[rep % 3];
                        check(workers, seed, draw(new Random(seed), group, blockSize));
                    }
                }
            }
        }
    }

    private static void check(Parallel parallel, int seed, Case c) {
        Random r = new Random(seed * 31L + 7);
        int seqs = c.context().length, d = c.headDim(), kvh = c.numKvHeads(), heads = c.heads(), bs = c.blockSize();
        // contiguous per-sequence K/V: [seq][token][kvHead*d + i]
        float[][][] keys = new float[seqs][][], values = new float[seqs][][];
        for (int s = 0; s < seqs; s++) {
            keys[s] = new float[c.context()[s]][];
            values[s] = new float[c.context()[s]][];
            for (int j = 0; j < c.context()[s]; j++) {
                keys[s][j] = F32.random(r, kvh * d, 1);
                values[s][j] = F32.random(r, kvh * d, 1);
            }
        }
        // block tables: shuffled ids with unused holes; optionally seq 1 shares seq 0's first block
        int needed = 0;
        for (int ctx : c.context()) needed += (ctx + bs - 1) / bs;
        int numBlocks = needed * 2 + 3;
        List<Integer> free = new ArrayList<>();
        for (int b = 0; b < numBlocks; b++) free.add(b);
        Collections.shuffle(free, r);
        int[][] tables = new int[seqs][];
        for (int s = 0; s < seqs; s++) {
            int blocks = (c.context()[s] + bs - 1) / bs;
            tables[s] = new int[blocks + r.nextInt(3)]; // trailing entries beyond the context are never read
            for (int b = 0; b < tables[s].length; b++) tables[s][b] = b < blocks ? free.removeLast() : numBlocks + 99;
        }
        boolean shared = c.shareFirstBlock() && seqs > 1 && c.context()[0] >= bs && c.context()[1] >= bs;
        if (shared) {
            tables[1][0] = tables[0][0];
            for (int j = 0; j < bs; j++) {
                keys[1][j] = keys[0][j];
                values[1][j] = values[0][j];
            }
        }
        int[] queryStart = new int[seqs + 1];
        for (int s = 0; s < seqs; s++) queryStart[s + 1] = queryStart[s] + c.queryLen()[s];
        int tokens = queryStart[seqs];
        float[] q = F32.random(r, tokens * heads * d, 1);

        KvCacheShape shape = new KvCacheShape(1, numBlocks, bs, kvh, d);
        try (CpuKvCache cache = new CpuKvCache(shape); Arena arena = Arena.ofShared()) {
            CacheLayer layer = cache.layer(0);
            layer.keys().fill((byte) 0xFF); // NaN everywhere a sequence does not own
            layer.values().fill((byte) 0xFF);
            for (int s = 0; s < seqs; s++) {
                for (int j = 0; j < c.context()[s]; j++) {
                    long slot = (long) tables[s][j / bs] * bs + j % bs;
                    MemorySegment.copy(keys[s][j], 0, layer.keys(), ValueLayout.JAVA_FLOAT, slot * kvh * d * 4, kvh * d);
                    MemorySegment.copy(values[s][j], 0, layer.values(), ValueLayout.JAVA_FLOAT, slot * kvh * d * 4, kvh * d);
                }
            }
            MemorySegment out = F32.zeros(arena, (long) tokens * heads * d);
            new PagedAttention(new AttentionShape(heads, kvh, d, c.window()), parallel)
                    .forward(F32.segment(arena, q), layer, new AttentionBatch(queryStart, c.context(), tables), out);
            double[] expected = naive(c, q, keys, values, queryStart);
            double diff = F32.maxAbsDiff(F32.read(out, expected.length), expected);
            assertTrue(diff < 1e-5, "seed " + seed + " " + c + " shared=" + shared + ": max |Δ| " + diff);
        }
    }

    private static double[] naive(Case c, float[] q, float[][][] keys, float[][][] values, int[] queryStart) {
        int d = c.headDim(), heads = c.heads();
        double[] out = new double[q.length];
        for (int s = 0; s < c.context().length; s++) {
            for (int i = 0; i < c.queryLen()[s]; i++) {
                int t = queryStart[s] + i;
                int pos = c.context()[s] - c.queryLen()[s] + i;
                for (int h = 0; h < heads; h++) {
                    int kvHead = h / c.group();
                    double[] w = new double[pos + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= pos; j++) {
                        if (c.window() > 0 && pos - j >= c.window()) {
                            w[j] = Double.NEGATIVE_INFINITY;
                            continue;
                        }
                        double dot = 0;
                        for (int k = 0; k < d; k++) dot += (double) q[(t * heads + h) * d + k] * keys[s][j][kvHead * d + k];
                        w[j] = dot / Math.sqrt(d);
                        max = Math.max(max, w[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= pos; j++) sum += w[j] = Math.exp(w[j] - max);
                    for (int j = 0; j <= pos; j++) {
                        for (int k = 0; k < d; k++) out[(t * heads + h) * d + k] += w[j] / sum * values[s][j][kvHead * d + k];
                    }
                }
            }
        }
        return out;
    }

    @Test
    void inconsistentBatchesAreRejectedWithTheSequenceNamed(Parallel parallel) {
        KvCacheShape shape = new KvCacheShape(1, 4, 8, 1, 4);
        try (CpuKvCache cache = new CpuKvCache(shape); Arena arena = Arena.ofShared()) {
            PagedAttention attention = new PagedAttention(new AttentionShape(2, 1, 4, 0), parallel);
            MemorySegment q = F32.zeros(arena, 2 * 2 * 4);
            String more = assertThrows(IllegalArgumentException.class, () -> attention.forward(q, cache.layer(0),
                    new AttentionBatch(new int[] {0, 2}, new int[] {1}, new int[][] {{0}}), q)).getMessage();
            assertTrue(more.contains("sequence 0: 2 query tokens but 1 cached"), more);
            assertThrows(IllegalArgumentException.class, () -> new AttentionShape(6, 4, 8, 0));
        }
    }
}
