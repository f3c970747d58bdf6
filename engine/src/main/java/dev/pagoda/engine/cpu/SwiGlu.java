package dev.pagoda.engine.cpu;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The gated MLP activation of the Llama family: {@code out = silu(gate) * up} with
 * {@code silu(x) = x / (1 + e^-x)}. Writing into {@code gate} in place is allowed, which saves
 * a (tokens, intermediate) buffer. One instance per engine loop; allocates nothing per call.
 */
public final class SwiGlu {

    private final Parallel parallel;
    private final Parallel.RangeBody body = this::activateVectors;

    private MemorySegment gate; // (n) f32
    private MemorySegment up; // (n) f32
    private MemorySegment out; // (n) f32, may be gate
    private long count;

    public SwiGlu(Parallel parallel) {
        this.parallel = parallel;
    }

    /**
     * @param gate (rows, cols) f32
     * @param up   (rows, cols) f32
     * @param out  (rows, cols) f32; may be {@code gate}
     */
    public void apply(MemorySegment gate, MemorySegment up, MemorySegment out, int rows, int cols) {
        long n = (long) rows * cols;
        FloatRows.requireFloats(gate, n, "SwiGLU gate");
        FloatRows.requireFloats(up, n, "SwiGLU up");
        FloatRows.requireFloats(out, n, "SwiGLU output");
        this.gate = gate;
        this.up = up;
        this.out = out;
        this.count = n;
        int lanes = FloatRows.SPECIES.length();
        parallel.forRange(Math.toIntExact((n + lanes - 1) / lanes), 256, body);
    }

    /** Chunks of whole vectors keep every chunk but the last free of scalar tails. */
    private void activateVectors(int startVector, int endVector) {
        int lanes = FloatRows.SPECIES.length();
        activate(startVector * (long) lanes, Math.min(count, endVector * (long) lanes));
    }

    private void activate(long start, long end) {
        long i = start;
        int lanes = FloatRows.SPECIES.length();
        for (; i + lanes <= end; i += lanes) {
            FloatVector g = FloatRows.load(gate, i);
            FloatVector silu = g.div(g.neg().lanewise(VectorOperators.EXP).add(1f));
            FloatRows.store(silu.mul(FloatRows.load(up, i)), out, i);
        }
        for (; i < end; i++) {
            float g = FloatRows.get(gate, i);
            FloatRows.set(out, i, (float) (g / (1.0 + Math.exp(-g))) * FloatRows.get(up, i));
        }
    }
}
