package dev.pagoda.engine.cpu;

import static dev.pagoda.engine.cpu.Lanes.F;
import static dev.pagoda.engine.cpu.Lanes.N;

import dev.pagoda.catalog.tensor.DType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/** IEEE half-precision weights, widened in registers (see {@link Lanes#f16}). */
final class F16Linear extends PlainLinear {

    F16Linear(LinearShape shape, Parallel parallel) {
        super(shape, DType.F16, parallel);
    }

    @Override
    void rowPairTimesTokens(int row, int rows, int t, int count) {
        MemorySegment w = weight, x = in, y = out;
        long x0 = inOffset(t, 0, count), x1 = inOffset(t, 1, count);
        long x2 = inOffset(t, 2, count), x3 = inOffset(t, 3, count);
        for (int r = 0; r < rows; r++) { // one row per pass: see RowTiledLinear on the inlining budget
            long ra = rowOffset(row, r, rows);
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int i = 0; i < vectorEnd; i += N) {
                FloatVector v = Lanes.f16(w, ra + (long) i * elementBytes);
                long xi = (long) i * Float.BYTES;
                a0 = v.fma(Lanes.f32(x, x0 + xi), a0);
                a1 = v.fma(Lanes.f32(x, x1 + xi), a1);
                a2 = v.fma(Lanes.f32(x, x2 + xi), a2);
                a3 = v.fma(Lanes.f32(x, x3 + xi), a3);
            }
            y.set(F32_LE, outOffset(t, 0, count, row + r), finish(a0, ra, x0));
            y.set(F32_LE, outOffset(t, 1, count, row + r), finish(a1, ra, x1));
            y.set(F32_LE, outOffset(t, 2, count, row + r), finish(a2, ra, x2));
            y.set(F32_LE, outOffset(t, 3, count, row + r), finish(a3, ra, x3));
        }
    }

    @Override
    void rowsTimesToken(int row, int count, int t) {
        MemorySegment w = weight, x = in, y = out;
        long x0 = inOffset(t, 0, 1);
        for (int p = 0; p < count; p += 2) { // two rows per pass: see RowTiledLinear on the inlining budget
            long ra = rowOffset(row, p, count), rb = rowOffset(row, p + 1, count);
            FloatVector a = FloatVector.zero(F), c = a;
            for (int i = 0; i < vectorEnd; i += N) {
                FloatVector v = Lanes.f32(x, x0 + (long) i * Float.BYTES);
                long wi = (long) i * elementBytes;
                a = Lanes.f16(w, ra + wi).fma(v, a);
                c = Lanes.f16(w, rb + wi).fma(v, c);
            }
            y.set(F32_LE, outOffsetOfRow(t, row, p, count), finish(a, ra, x0));
            y.set(F32_LE, outOffsetOfRow(t, row, p + 1, count), finish(c, rb, x0));
        }
    }

}
