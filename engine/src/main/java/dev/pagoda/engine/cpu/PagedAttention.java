package dev.pagoda.engine.cpu;

import java.lang.foreign.MemorySegment;

/**
 * Causal attention for one flattened batch, reading K/V through block tables:
 * {@code out[t, h] = Σ_j softmax_j(q[t, h] · k[j, h/g] / sqrt(d)) · v[j, h/g]} over the keys
 * {@code j} of token t's own sequence up to and including its position (and within the sliding
 * window, when the model has one).
 *
 * <pre>
 *   sequence s, logical token j  ──► block = blockTables[s][j / blockSize]
 *                                    slot  = block * blockSize + j % blockSize
 *   K/V cache (one layer)        ──► [numBlocks][blockSize][kvHeads][headDim]
 * </pre>
 *
 * Work items are (sequence, KV head) groups: each K/V row is loaded once and serves every query
 * head sharing it (GQA), so a step streams the cached K/V from memory once instead of once per
 * query head (7 times for Qwen2.5's 14/2 heads). When there are too few groups to keep the
 * workers busy (a lone decode on many cores), items shrink to single query heads: then
 * parallelism matters more than traffic, and one sequence's K/V mostly stays in cache.
 *
 * <p>Softmax is computed online (running max and sum per query row, rescaling the accumulator
 * when the max grows), accumulating straight into the output row: no score buffer as long as
 * the context. One instance per engine loop; the per-call arguments live in fields and the
 * running statistics in arrays that grow with the largest batch seen, so a step allocates
 * nothing.
 */
public final class PagedAttention {

    private final AttentionShape shape;
    private final Parallel parallel;
    private final float scale;
    private final float softCap; // 0: none
    private final Parallel.RangeBody body = this::attendItems;

    private MemorySegment query; // (T, numHeads, headDim) f32
    private MemorySegment out; // (T, numHeads, headDim) f32
    private CacheLayer layer;
    private AttentionBatch batch;
    private int headsPerItem;
    private float[] runningMax = new float[0]; // (T, numHeads) online-softmax max per query row
    private float[] runningSum = new float[0]; // (T, numHeads) online-softmax denominator per query row

    /** Scores scaled by 1/sqrt(headDim), not capped (the Llama family). */
    public PagedAttention(AttentionShape shape, Parallel parallel) {
        this(shape, (float) (1.0 / Math.sqrt(shape.headDim())), 0f, parallel);
    }

    /**
     * @param scale   multiplies q·k
     * @param softCap scores become {@code softCap·tanh(score/softCap)} (Gemma 2); 0 for none
     */
    public PagedAttention(AttentionShape shape, float scale, float softCap, Parallel parallel) {
        if (!(scale > 0)) throw new IllegalArgumentException("attention scale must be positive, got " + scale);
        if (!(softCap >= 0)) throw new IllegalArgumentException("attention soft-cap must be >= 0, got " + softCap);
        this.shape = shape;
        this.parallel = parallel;
        this.scale = scale;
        this.softCap = softCap;
    }

    /**
     * @param query (T, numHeads, headDim) f32, rotated
     * @param layer this layer's cache, this step's K/V already written
     * @param out   (T, numHeads, headDim) f32, overwritten
     */
    public void forward(MemorySegment query, CacheLayer layer, AttentionBatch batch, MemorySegment out) {
        if (layer.shape().numKvHeads() != shape.numKvHeads() || layer.shape().headDim() != shape.headDim()) {
            throw new IllegalArgumentException("KV cache holds " + layer.shape().numKvHeads() + " heads of "
                    + layer.shape().headDim() + ", attention expects " + shape.numKvHeads() + " of " + shape.headDim());
        }
        batch.checkAgainst(layer.shape());
        long floats = (long) batch.numTokens() * shape.numHeads() * shape.headDim();
        FloatRows.requireFloats(query, floats, "attention query");
        FloatRows.requireFloats(out, floats, "attention output");
        this.query = query;
        this.out = out;
        this.layer = layer;
        this.batch = batch;
        int rows = batch.numTokens() * shape.numHeads();
        if (runningMax.length < rows) {
            runningMax = new float[rows];
            runningSum = new float[rows];
        }
        boolean enoughGroups = batch.numSeqs() * shape.numKvHeads() >= 2 * parallel.threads();
        this.headsPerItem = enoughGroups ? shape.groupSize() : 1;
        parallel.forRange(batch.numSeqs() * (shape.numHeads() / headsPerItem), 1, body);
    }

    private void attendItems(int start, int end) {
        int itemsPerSeq = shape.numHeads() / headsPerItem;
        for (int item = start; item < end; item++) {
            int seq = item / itemsPerSeq;
            int firstHead = (item % itemsPerSeq) * headsPerItem;
            int first = batch.queryStart()[seq];
            int queryLen = batch.queryLen(seq);
            int firstPosition = batch.contextLens()[seq] - queryLen;
            for (int i = 0; i < queryLen; i++) {
                attendOne(first + i, firstHead, firstPosition + i, batch.blockTables()[seq]);
            }
        }
    }

    /** Query heads [firstHead, firstHead + headsPerItem) of one token against keys [lo, position]. */
    private void attendOne(int token, int firstHead, int position, int[] blockTable) {
        int d = shape.headDim();
        int kvHead = firstHead / shape.groupSize();
        int blockSize = layer.shape().blockSize();
        int tokenFloats = layer.shape().tokenFloats();
        int firstRow = token * shape.numHeads() + firstHead;
        int lastRow = firstRow + headsPerItem;
        for (int row = firstRow; row < lastRow; row++) {
            FloatRows.zero(out, (long) row * d, d);
            runningMax[row] = Float.NEGATIVE_INFINITY;
            runningSum[row] = 0f;
        }
        int lo = shape.slidingWindow() > 0 ? Math.max(0, position - shape.slidingWindow() + 1) : 0;
        MemorySegment keys = layer.keys();
        MemorySegment values = layer.values();
        for (int j = lo; j <= position; j++) {
            long slot = (long) blockTable[j / blockSize] * blockSize + j % blockSize;
            long kvOff = slot * tokenFloats + (long) kvHead * d;
            for (int row = firstRow; row < lastRow; row++) {
                long off = (long) row * d;
                float score = FloatRows.dot(query, off, keys, kvOff, d) * scale;
                if (softCap > 0) score = (float) (softCap * Math.tanh(score / softCap));
                if (score > runningMax[row]) {
                    float correction = (float) Math.exp(runningMax[row] - score);
                    if (runningSum[row] > 0f) FloatRows.scale(out, off, d, correction);
                    runningSum[row] *= correction;
                    runningMax[row] = score;
                }
                float p = (float) Math.exp(score - runningMax[row]);
                runningSum[row] += p;
                FloatRows.axpy(p, values, kvOff, out, off, d);
            }
        }
        for (int row = firstRow; row < lastRow; row++) FloatRows.scale(out, (long) row * d, d, 1f / runningSum[row]);
    }
}
