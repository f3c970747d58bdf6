package dev.pagoda.engine.cuda.kernels;

import dev.pagoda.engine.cpu.AttentionBatch;
import dev.pagoda.engine.cpu.AttentionShape;
import dev.pagoda.engine.cpu.CacheLayer;
import dev.pagoda.engine.cpu.KvCacheShape;
import dev.pagoda.engine.cpu.PagedAttention;
import dev.pagoda.engine.cpu.Parallel;
import dev.pagoda.engine.cuda.DeviceBuffer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A random paged batch for the attention tests: a bf16-valued K/V cache whose blocks are handed
 * out shuffled from a pool with unused holes, the first blocks of sequence 1 shared with sequence 0
 * (as a prefix-cache hit would), block-table entries past a sequence's end set to garbage, and
 * the CPU backend's PagedAttention as the reference.
 *
 * @param contexts  tokens in cache per sequence (this step's included)
 * @param queryLens query tokens per sequence (the last queryLens[s] of its context)
 */
record PagedScenario(CudaKernels.AttentionGeometry geometry, int[] contexts, int[] queryLens, int numBlocks,
                     int[][] tables, float[] keys, float[] values, float[] query) {

    /** Scales q so that softmax is peaked: a wrong key or mask then moves the output visibly. */
    private static final float QUERY_SCALE = 4f;
    private static final int GARBAGE_BLOCK = -12345;

    static PagedScenario create(long seed, int heads, int kvHeads, int headDim, int blockSize, int slidingWindow,
                                int extraTableBlocks, int[] contexts, int[] queryLens) {
        Random r = new Random(seed);
        int seqs = contexts.length;
        int[] needed = new int[seqs];
        int maxNeeded = 0, total = 0;
        for (int s = 0; s < seqs; s++) {
            needed[s] = (contexts[s] + blockSize - 1) / blockSize;
            maxNeeded = Math.max(maxNeeded, needed[s]);
            total += needed[s];
        }
        int numBlocks = total + total / 2 + 3; // holes: a third of the pool is never used
        List<Integer> pool = new ArrayList<>();
        for (int b = 0; b < numBlocks; b++) pool.add(b);
        Collections.shuffle(pool, r);
        int maxBlocksPerSeq = maxNeeded + extraTableBlocks;
        int[][] tables = new int[seqs][maxBlocksPerSeq];
        int next = 0;
        for (int s = 0; s < seqs; s++) {
            java.util.Arrays.fill(tables[s], GARBAGE_BLOCK);
            for (int i = 0; i < needed[s]; i++) tables[s][i] = pool.get(next++);
        }
        if (seqs >= 2) { // shared prefix: sequence 1 reads sequence 0's first blocks
            int shared = Math.min(needed[0], needed[1]) - 1;
            for (int i = 0; i < shared; i++) tables[1][i] = tables[0][i];
        }
        var geometry = new CudaKernels.AttentionGeometry(heads, kvHeads, headDim, blockSize, maxBlocksPerSeq,
                (float) (1.0 / Math.sqrt(headDim)), slidingWindow);
        int cacheElems = numBlocks * blockSize * kvHeads * headDim;
        int tokens = 0;
        for (int q : queryLens) tokens += q;
        return new PagedScenario(geometry, contexts.clone(), queryLens.clone(), numBlocks, tables,
                Tolerance.random(r, cacheElems, 1f), Tolerance.random(r, cacheElems, 1f),
                Tolerance.random(r, tokens * heads * headDim, QUERY_SCALE));
    }

    int tokens() {
        int t = 0;
        for (int q : queryLens) t += q;
        return t;
    }

    int[] queryStart() {
        int[] qs = new int[contexts.length + 1];
        for (int s = 0; s < contexts.length; s++) qs[s + 1] = qs[s] + queryLens[s];
        return qs;
    }

    int[] flatTables() {
        int width = geometry.maxBlocksPerSeq();
        int[] flat = new int[tables.length * width];
        for (int s = 0; s < tables.length; s++) System.arraycopy(tables[s], 0, flat, s * width, width);
        return flat;
    }

    int rowElems() {
        return geometry.numHeads() * geometry.headDim();
    }

    /** CPU PagedAttention over the same bf16 values, f32 (tokens, heads, headDim). */
    float[] reference(Parallel parallel) {
        var g = geometry;
        var shape = new KvCacheShape(1, numBlocks, g.blockSize(), g.numKvHeads(), g.headDim());
        try (Arena arena = Arena.ofShared()) {
            MemorySegment k = arena.allocateFrom(ValueLayout.JAVA_FLOAT, keys);
            MemorySegment v = arena.allocateFrom(ValueLayout.JAVA_FLOAT, values);
            MemorySegment q = arena.allocateFrom(ValueLayout.JAVA_FLOAT, query);
            MemorySegment out = arena.allocate(4L * query.length);
            var attention = new PagedAttention(new AttentionShape(g.numHeads(), g.numKvHeads(), g.headDim(), g.slidingWindow()), parallel);
            attention.forward(q, new CacheLayer(shape, k, v), new AttentionBatch(queryStart(), contexts, tables), out);
            return out.toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    /** Runs decode attention for the one-token sequences and prefill for the rest; returns the bf16 output. */
    float[] runOnGpu(CudaKernels kernels, DeviceArrays d) {
        return runOnGpu(kernels, kernels::prefillAttention, d);
    }

    /** As {@link #runOnGpu(CudaKernels, DeviceArrays)}, with the prefill rows on {@code prefill}. */
    float[] runOnGpu(CudaKernels kernels, PrefillAttentionLauncher prefill, DeviceArrays d) {
        var g = geometry;
        int[] qs = queryStart();
        List<Integer> decode = new ArrayList<>();
        for (int s = 0; s < contexts.length; s++) if (queryLens[s] == 1) decode.add(s);
        int[] tileSeq = new int[CudaKernels.maxPrefillTiles(tokens(), contexts.length)];
        int[] tileRow = new int[tileSeq.length];
        int tiles = CudaKernels.prefillTiles(qs, tileSeq, tileRow);
        DeviceBuffer q = d.bf16(query), k = d.bf16(keys), v = d.bf16(values);
        DeviceBuffer tablesDev = d.i32(flatTables()), qsDev = d.i32(qs), ctxDev = d.i32(contexts);
        DeviceBuffer out = d.alloc(2L * query.length);
        out.fill(0xFF); // NaN everywhere: a row no kernel writes fails the comparison
        var stream = d.device().defaultStream();
        if (!decode.isEmpty()) {
            DeviceBuffer workspace = d.alloc(CudaKernels.decodeWorkspaceBytes(g, decode.size()));
            kernels.decodeAttention(stream, g, new CudaKernels.DecodeAttention(q.address(), k.address(), v.address(),
                    tablesDev.address(), qsDev.address(), ctxDev.address(), d.i32(toArray(decode)).address(), decode.size(),
                    out.address(), workspace.address()));
        }
        if (tiles > 0) {
            prefill.launch(stream, g, new CudaKernels.PrefillAttention(q.address(), k.address(), v.address(),
                    tablesDev.address(), qsDev.address(), ctxDev.address(), d.i32(tileSeq).address(),
                    d.i32(tileRow).address(), tiles, out.address()));
        }
        return d.readBf16(out, query.length);
    }

    private static int[] toArray(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    String describe() {
        var g = geometry;
        return "heads " + g.numHeads() + "/" + g.numKvHeads() + " dim " + g.headDim() + " block " + g.blockSize()
                + " window " + g.slidingWindow() + " maxBlocks " + g.maxBlocksPerSeq() + " contexts "
                + java.util.Arrays.toString(contexts) + " queries " + java.util.Arrays.toString(queryLens);
    }
}
