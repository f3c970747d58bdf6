package dev.pagoda.engine.cpu;

import java.lang.foreign.MemorySegment;

/**
 * RMSNorm over rows of {@code dim} floats: {@code out = x / sqrt(mean(x²) + eps) * weight}, as
 * HF's {@code LlamaRMSNorm} (statistics in f32, weight applied after normalising). Optionally
 * fused with the residual add that precedes every norm in a decoder layer, so the residual
 * stream is read once instead of twice.
 *
 * <p>An instance is used by one thread at a time (the engine loop); the per-call arguments live
 * in fields so that a call allocates nothing (a capturing lambda would allocate every call).
 */
public final class RmsNorm {

    private final Parallel parallel;
    private final int dim;
    private final float eps;
    private final Parallel.RangeBody body = this::normRows;

    private MemorySegment input; // (rows, dim) f32: the residual stream, summed in place when delta != null
    private MemorySegment delta; // (rows, dim) f32 or null
    private MemorySegment weight; // (dim) f32
    private MemorySegment out; // (rows, dim) f32, may be the same segment as input

    public RmsNorm(Parallel parallel, int dim, double eps) {
        if (dim < 1) throw new IllegalArgumentException("RMSNorm dim must be >= 1, got " + dim);
        this.parallel = parallel;
        this.dim = dim;
        this.eps = (float) eps;
    }

    public int dim() {
        return dim;
    }

    /**
     * @param x      (rows, dim) f32
     * @param weight (dim) f32
     * @param out    (rows, dim) f32; may be {@code x} (in place, used for per-head q/k norm)
     */
    public void apply(MemorySegment x, MemorySegment weight, MemorySegment out, int rows) {
        run(x, null, weight, out, rows);
    }

    /**
     * {@code residual += delta}, then {@code out = rmsnorm(residual) * weight}.
     *
     * @param residual (rows, dim) f32, updated in place
     * @param delta    (rows, dim) f32, the sub-layer output to add
     */
    public void addAndApply(MemorySegment residual, MemorySegment delta, MemorySegment weight,
                            MemorySegment out, int rows) {
        run(residual, delta, weight, out, rows);
    }

    private void run(MemorySegment x, MemorySegment d, MemorySegment w, MemorySegment o, int rows) {
        long floats = (long) rows * dim;
        FloatRows.requireFloats(x, floats, "RMSNorm input");
        FloatRows.requireFloats(o, floats, "RMSNorm output");
        FloatRows.requireFloats(w, dim, "RMSNorm weight");
        if (d != null) FloatRows.requireFloats(d, floats, "RMSNorm residual delta");
        this.input = x;
        this.delta = d;
        this.weight = w;
        this.out = o;
        parallel.forRange(rows, Math.max(1, 4096 / dim), body);
    }

    private void normRows(int start, int end) {
        for (int r = start; r < end; r++) {
            long off = (long) r * dim;
            if (delta != null) FloatRows.add(delta, off, input, off, dim);
            float inv = (float) (1.0 / Math.sqrt(FloatRows.sumOfSquares(input, off, dim) / dim + eps));
            normalizeRow(off, inv);
        }
    }

    private void normalizeRow(long off, float inv) {
        int i = 0;
        int bound = FloatRows.SPECIES.loopBound(dim);
        for (; i < bound; i += FloatRows.SPECIES.length()) {
            FloatRows.store(FloatRows.load(input, off + i).mul(inv).mul(FloatRows.load(weight, i)), out, off + i);
        }
        for (; i < dim; i++) {
            FloatRows.set(out, off + i, FloatRows.get(input, off + i) * inv * FloatRows.get(weight, i));
        }
    }
}
