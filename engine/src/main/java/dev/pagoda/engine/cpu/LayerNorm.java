package dev.pagoda.engine.cpu;

import java.lang.foreign.MemorySegment;

/**
 * LayerNorm over rows of {@code dim} floats, as torch's {@code nn.LayerNorm}: {@code out =
 * (x − mean) / sqrt(var + eps) · weight (+ bias)}, the (biased) variance and the statistics in
 * double. For GPT-NeoX, Phi-2, StableLM, Falcon and Cohere. One instance per engine loop; a call
 * allocates nothing.
 */
public final class LayerNorm {

    private final Parallel parallel;
    private final int dim;
    private final double eps;
    private final Parallel.RangeBody body = this::normRows;

    private MemorySegment input; // (rows, dim) f32
    private MemorySegment weight; // (dim) f32
    private MemorySegment bias; // (dim) f32 or null
    private MemorySegment out; // (rows, dim) f32, may be input

    public LayerNorm(Parallel parallel, int dim, double eps) {
        if (dim < 1) throw new IllegalArgumentException("LayerNorm dim must be >= 1, got " + dim);
        this.parallel = parallel;
        this.dim = dim;
        this.eps = eps;
    }

    /**
     * @param x      (rows, dim) f32
     * @param weight (dim) f32
     * @param bias   (dim) f32, or null for none
     * @param out    (rows, dim) f32; may be {@code x}
     */
    public void apply(MemorySegment x, MemorySegment weight, MemorySegment bias, MemorySegment out, int rows) {
        long floats = (long) rows * dim;
        FloatRows.requireFloats(x, floats, "LayerNorm input");
        FloatRows.requireFloats(out, floats, "LayerNorm output");
        FloatRows.requireFloats(weight, dim, "LayerNorm weight");
        if (bias != null) FloatRows.requireFloats(bias, dim, "LayerNorm bias");
        this.input = x;
        this.weight = weight;
        this.bias = bias;
        this.out = out;
        parallel.forRange(rows, Math.max(1, 4096 / dim), body);
    }

    private void normRows(int start, int end) {
        for (int r = start; r < end; r++) {
            long off = (long) r * dim;
            double sum = 0;
            for (int i = 0; i < dim; i++) sum += FloatRows.get(input, off + i);
            double mean = sum / dim;
            double squares = 0;
            for (int i = 0; i < dim; i++) {
                double centred = FloatRows.get(input, off + i) - mean;
                squares += centred * centred;
            }
            double inv = 1.0 / Math.sqrt(squares / dim + eps);
            for (int i = 0; i < dim; i++) {
                double v = (FloatRows.get(input, off + i) - mean) * inv * FloatRows.get(weight, i);
                if (bias != null) v += FloatRows.get(bias, i);
                FloatRows.set(out, off + i, (float) v);
            }
        }
    }
}
