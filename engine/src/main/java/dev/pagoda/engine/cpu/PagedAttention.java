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
 * Work is split over (sequence, query head) pairs. Softmax is computed online (running max and
 * sum, rescaling the accumulator when the max grows), accumulating straight into the output
 * row: no score buffer as long as the context, hence no per-thread scratch and no allocation.
 * One instance per engine loop; the per-call arguments live in fields.
 */
public final class PagedAttention {

    private final AttentionShape shape;
    private final Parallel parallel;
    private final float scale;
    private final Parallel.RangeBody body = this::attendItems;

    private MemorySegment query; // (T, numHeads, headDim) f32
    private MemorySegment out; // (T, numHeads, headDim) f32
    private CacheLayer layer;
    private AttentionBatch batch;

    public PagedAttention(AttentionShape shape, Parallel parallel) {
        this.shape = shape;
        this.parallel = parallel;
        this.scale = (float) (1.0 / Math.sqrt(shape.headDim()));
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
        parallel.forRange(batch.numSeqs() * shape.numHeads(), 1, body);
    }

    private void attendItems(int start, int end) {
        int heads = shape.numHeads();
        for (int item = start; item < end; item++) {
            int seq = item / heads;
            int head = item % heads;
            int first = batch.queryStart()[seq];
            int queryLen = batch.queryLen(seq);
            int firstPosition = batch.contextLens()[seq] - queryLen;
            for (int i = 0; i < queryLen; i++) {
                attendOne(first + i, head, firstPosition + i, batch.blockTables()[seq]);
            }
        }
    }

    /** One query row against keys [lo, position] of its sequence. */
    private void attendOne(int token, int head, int position, int[] blockTable) {
        int d = shape.headDim();
        int kvHead = head / shape.groupSize();
        int blockSize = layer.shape().blockSize();
        int tokenFloats = layer.shape().tokenFloats();
        long qOff = ((long) token * shape.numHeads() + head) * d;
        long oOff = qOff;
        FloatRows.zero(out, oOff, d);
        int lo = shape.slidingWindow() > 0 ? Math.max(0, position - shape.slidingWindow() + 1) : 0;
        float max = Float.NEGATIVE_INFINITY;
        float sum = 0f;
        MemorySegment keys = layer.keys();
        MemorySegment values = layer.values();
        for (int j = lo; j <= position; j++) {
            long slot = (long) blockTable[j / blockSize] * blockSize + j % blockSize;
            long kvOff = slot * tokenFloats + (long) kvHead * d;
            float score = FloatRows.dot(query, qOff, keys, kvOff, d) * scale;
            if (score > max) {
                float correction = (float) Math.exp(max - score);
                if (sum > 0f) FloatRows.scale(out, oOff, d, correction);
                sum *= correction;
                max = score;
            }
            float p = (float) Math.exp(score - max);
            sum += p;
            FloatRows.axpy(p, values, kvOff, out, oOff, d);
        }
        FloatRows.scale(out, oOff, d, 1f / sum);
    }
}
