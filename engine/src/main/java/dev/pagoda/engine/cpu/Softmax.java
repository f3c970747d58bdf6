package dev.pagoda.engine.cpu;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Numerically stable softmax over rows, in place: {@code x = exp(x - max) / Σ exp(x - max)}.
 * Used on logits (sampling, logprobs); attention folds its softmax into a single online pass
 * instead (see {@link PagedAttention}). One instance per engine loop; allocates nothing per call.
 */
public final class Softmax {

    private final Parallel parallel;
    private final Parallel.RangeBody body = this::softmaxRows;
    private MemorySegment x; // (rows, cols) f32
    private int cols;

    public Softmax(Parallel parallel) {
        this.parallel = parallel;
    }

    /** @param x (rows, cols) f32, replaced by its row-wise softmax */
    public void apply(MemorySegment x, int rows, int cols) {
        if (cols < 1) throw new IllegalArgumentException("softmax needs at least one column, got " + cols);
        FloatRows.requireFloats(x, (long) rows * cols, "softmax input");
        this.x = x;
        this.cols = cols;
        parallel.forRange(rows, Math.max(1, 16384 / cols), body);
    }

    private void softmaxRows(int start, int end) {
        for (int r = start; r < end; r++) {
            long off = (long) r * cols;
            float max = rowMax(off);
            float sum = expInPlace(off, max);
            FloatRows.scale(x, off, cols, 1f / sum);
        }
    }

    private float rowMax(long off) {
        int i = 0;
        float max = Float.NEGATIVE_INFINITY;
        int bound = FloatRows.SPECIES.loopBound(cols);
        if (bound > 0) {
            FloatVector m = FloatVector.broadcast(FloatRows.SPECIES, Float.NEGATIVE_INFINITY);
            for (; i < bound; i += FloatRows.SPECIES.length()) m = m.max(FloatRows.load(x, off + i));
            max = m.reduceLanes(VectorOperators.MAX);
        }
        for (; i < cols; i++) max = Math.max(max, FloatRows.get(x, off + i));
        return max;
    }

    private float expInPlace(long off, float max) {
        int i = 0;
        float sum = 0f;
        int bound = FloatRows.SPECIES.loopBound(cols);
        if (bound > 0) {
            FloatVector acc = FloatVector.zero(FloatRows.SPECIES);
            for (; i < bound; i += FloatRows.SPECIES.length()) {
                FloatVector e = FloatRows.load(x, off + i).sub(max).lanewise(VectorOperators.EXP);
                FloatRows.store(e, x, off + i);
                acc = acc.add(e);
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < cols; i++) {
            float e = (float) Math.exp(FloatRows.get(x, off + i) - max);
            FloatRows.set(x, off + i, e);
            sum += e;
        }
        return sum;
    }
}
