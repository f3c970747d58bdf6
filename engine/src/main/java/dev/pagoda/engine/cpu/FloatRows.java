package dev.pagoda.engine.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorised loops over f32 runs inside memory segments, shared by the non-matmul kernels.
 * Offsets are in floats (not bytes) so callers index rows the way the shape comments read.
 * Every loop has a scalar tail, so any length works (tests use tiny, odd head sizes).
 */
final class FloatRows {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private FloatRows() {}

    static FloatVector load(MemorySegment s, long index) {
        return FloatVector.fromMemorySegment(SPECIES, s, index * Float.BYTES, ORDER);
    }

    static void store(FloatVector v, MemorySegment s, long index) {
        v.intoMemorySegment(s, index * Float.BYTES, ORDER);
    }

    static float get(MemorySegment s, long index) {
        return s.getAtIndex(F32, index);
    }

    static void set(MemorySegment s, long index, float value) {
        s.setAtIndex(F32, index, value);
    }

    /** Σ a[aOff + i] · b[bOff + i] for i in [0, n). */
    static float dot(MemorySegment a, long aOff, MemorySegment b, long bOff, int n) {
        int i = 0;
        float sum = 0f;
        int bound = SPECIES.loopBound(n);
        if (bound > 0) {
            FloatVector acc = FloatVector.zero(SPECIES);
            for (; i < bound; i += SPECIES.length()) {
                acc = load(a, aOff + i).fma(load(b, bOff + i), acc);
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) sum += get(a, aOff + i) * get(b, bOff + i);
        return sum;
    }

    /** Σ x[off + i]² for i in [0, n). */
    static float sumOfSquares(MemorySegment x, long off, int n) {
        return dot(x, off, x, off, n);
    }

    /** y[yOff + i] += alpha · x[xOff + i]. */
    static void axpy(float alpha, MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        int i = 0;
        int bound = SPECIES.loopBound(n);
        FloatVector a = FloatVector.broadcast(SPECIES, alpha);
        for (; i < bound; i += SPECIES.length()) {
            store(load(x, xOff + i).fma(a, load(y, yOff + i)), y, yOff + i);
        }
        for (; i < n; i++) set(y, yOff + i, get(y, yOff + i) + alpha * get(x, xOff + i));
    }

    /** x[off + i] *= factor. */
    static void scale(MemorySegment x, long off, int n, float factor) {
        int i = 0;
        int bound = SPECIES.loopBound(n);
        for (; i < bound; i += SPECIES.length()) {
            store(load(x, off + i).mul(factor), x, off + i);
        }
        for (; i < n; i++) set(x, off + i, get(x, off + i) * factor);
    }

    /** x[off + i] = 0. */
    static void zero(MemorySegment x, long off, int n) {
        int i = 0;
        int bound = SPECIES.loopBound(n);
        FloatVector zero = FloatVector.zero(SPECIES);
        for (; i < bound; i += SPECIES.length()) store(zero, x, off + i);
        for (; i < n; i++) set(x, off + i, 0f);
    }

    /** y[yOff + i] += x[xOff + i]. */
    static void add(MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        int i = 0;
        int bound = SPECIES.loopBound(n);
        for (; i < bound; i += SPECIES.length()) {
            store(load(y, yOff + i).add(load(x, xOff + i)), y, yOff + i);
        }
        for (; i < n; i++) set(y, yOff + i, get(y, yOff + i) + get(x, xOff + i));
    }

    /** Requires {@code segment} to hold at least {@code floats} floats; names the buffer otherwise. */
    static void requireFloats(MemorySegment segment, long floats, String what) {
        if (segment.byteSize() < floats * Float.BYTES) {
            throw new IllegalArgumentException(what + " holds " + segment.byteSize() / Float.BYTES
                    + " floats, needs " + floats);
        }
    }
}
