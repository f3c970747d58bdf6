package dev.pagoda.engine.cpu;

import static dev.pagoda.engine.cpu.Lanes.F;
import static dev.pagoda.engine.cpu.Lanes.N;

import dev.pagoda.catalog.tensor.DType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * F32, F16 and BF16 weights: one element per stored value, so any row length works (a scalar
 * tail covers what the vectors don't). The three types share the loops; the per-vector type
 * switch tests a loop-invariant field, which the JIT hoists or the branch predictor absorbs.
 */
final class PlainLinear extends RowTiledLinear {

    private final DType type; // F32, F16 or BF16
    private final int elementBytes;
    private final int vectorEnd; // elements covered by whole vectors

    PlainLinear(LinearShape shape, DType type, Parallel parallel) {
        super(shape, parallel);
        if (type != DType.F32 && type != DType.F16 && type != DType.BF16) {
            throw new IllegalArgumentException("PlainLinear takes F32, F16 or BF16, got " + type);
        }
        this.type = type;
        this.elementBytes = type == DType.F32 ? 4 : 2;
        this.vectorEnd = inF / N * N;
    }

    private FloatVector load(MemorySegment w, long offset) {
        return switch (type) {
            case F32 -> Lanes.f32(w, offset);
            case F16 -> Lanes.f16(w, offset);
            default -> Lanes.bf16(w, offset);
        };
    }

    private float scalar(MemorySegment w, long offset) {
        return switch (type) {
            case F32 -> w.get(F32_LE, offset);
            case F16 -> Float.float16ToFloat(w.get(I16_LE, offset));
            default -> Float.intBitsToFloat(w.get(I16_LE, offset) << 16);
        };
    }

    @Override
    void rowTimesTokens(int row, int t, int count) {
        MemorySegment w = weight, x = in, y = out;
        long r = row * rowBytes;
        long x0 = inOffset(t, 0, count), x1 = inOffset(t, 1, count);
        long x2 = inOffset(t, 2, count), x3 = inOffset(t, 3, count);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < vectorEnd; i += N) {
            FloatVector v = load(w, r + (long) i * elementBytes);
            long xi = (long) i * Float.BYTES;
            a0 = v.fma(Lanes.f32(x, x0 + xi), a0);
            a1 = v.fma(Lanes.f32(x, x1 + xi), a1);
            a2 = v.fma(Lanes.f32(x, x2 + xi), a2);
            a3 = v.fma(Lanes.f32(x, x3 + xi), a3);
        }
        y.set(F32_LE, outOffset(t, 0, count, row), finish(a0, r, x0));
        y.set(F32_LE, outOffset(t, 1, count, row), finish(a1, r, x1));
        y.set(F32_LE, outOffset(t, 2, count, row), finish(a2, r, x2));
        y.set(F32_LE, outOffset(t, 3, count, row), finish(a3, r, x3));
    }

    @Override
    void rowsTimesToken(int row, int count, int t) {
        MemorySegment w = weight, x = in, y = out;
        long r0 = rowOffset(row, 0, count), r1 = rowOffset(row, 1, count);
        long r2 = rowOffset(row, 2, count), r3 = rowOffset(row, 3, count);
        long x0 = inOffset(t, 0, 1);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < vectorEnd; i += N) {
            FloatVector v = Lanes.f32(x, x0 + (long) i * Float.BYTES);
            long wi = (long) i * elementBytes;
            a0 = load(w, r0 + wi).fma(v, a0);
            a1 = load(w, r1 + wi).fma(v, a1);
            a2 = load(w, r2 + wi).fma(v, a2);
            a3 = load(w, r3 + wi).fma(v, a3);
        }
        y.set(F32_LE, outOffsetOfRow(t, row, 0, count), finish(a0, r0, x0));
        y.set(F32_LE, outOffsetOfRow(t, row, 1, count), finish(a1, r1, x0));
        y.set(F32_LE, outOffsetOfRow(t, row, 2, count), finish(a2, r2, x0));
        y.set(F32_LE, outOffsetOfRow(t, row, 3, count), finish(a3, r3, x0));
    }

    /** Lane sum plus the scalar tail, in the same order whichever kernel asked. */
    private float finish(FloatVector acc, long rowOffset, long inOffset) {
        float sum = Lanes.sum(acc);
        MemorySegment w = weight, x = in;
        for (int i = vectorEnd; i < inF; i++) {
            sum += scalar(w, rowOffset + (long) i * elementBytes) * x.get(F32_LE, inOffset + (long) i * Float.BYTES);
        }
        return sum;
    }
}
