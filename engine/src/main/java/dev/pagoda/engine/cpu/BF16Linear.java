package dev.pagoda.engine.cpu;

import static dev.pagoda.engine.cpu.Lanes.F;
import static dev.pagoda.engine.cpu.Lanes.N;

import dev.pagoda.catalog.tensor.DType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/** bfloat16 weights, widened in registers by a shift. */
final class BF16Linear extends PlainLinear {

    BF16Linear(LinearShape shape, Parallel parallel) {
        super(shape, DType.BF16, parallel);
    }

    @Override
    void rowPairTimesTokens(int row, int rows, int t, int count) {
        MemorySegment w = weight, x = in;
        long ra = rowOffset(row, 0, rows), rb = rowOffset(row, 1, rows);
        long x0 = inOffset(t, 0, count), x1 = inOffset(t, 1, count);
        long x2 = inOffset(t, 2, count), x3 = inOffset(t, 3, count);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (int i = 0; i < vectorEnd; i += N) {
            long wi = (long) i * elementBytes;
            FloatVector va = Lanes.bf16(w, ra + wi), vb = Lanes.bf16(w, rb + wi);
            long xi = (long) i * Float.BYTES;
            FloatVector v0 = Lanes.f32(x, x0 + xi), v1 = Lanes.f32(x, x1 + xi);
            a0 = va.fma(v0, a0);
            b0 = vb.fma(v0, b0);
            a1 = va.fma(v1, a1);
            b1 = vb.fma(v1, b1);
            FloatVector v2 = Lanes.f32(x, x2 + xi), v3 = Lanes.f32(x, x3 + xi);
            a2 = va.fma(v2, a2);
            b2 = vb.fma(v2, b2);
            a3 = va.fma(v3, a3);
            b3 = vb.fma(v3, b3);
        }
        MemorySegment y = out;
        y.set(F32_LE, outOffset(t, 0, count, row), finish(a0, ra, x0));
        y.set(F32_LE, outOffset(t, 1, count, row), finish(a1, ra, x1));
        y.set(F32_LE, outOffset(t, 2, count, row), finish(a2, ra, x2));
        y.set(F32_LE, outOffset(t, 3, count, row), finish(a3, ra, x3));
        int last = row + rows - 1;
        y.set(F32_LE, outOffset(t, 0, count, last), finish(b0, rb, x0));
        y.set(F32_LE, outOffset(t, 1, count, last), finish(b1, rb, x1));
        y.set(F32_LE, outOffset(t, 2, count, last), finish(b2, rb, x2));
        y.set(F32_LE, outOffset(t, 3, count, last), finish(b3, rb, x3));
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
            a0 = Lanes.bf16(w, r0 + wi).fma(v, a0);
            a1 = Lanes.bf16(w, r1 + wi).fma(v, a1);
            a2 = Lanes.bf16(w, r2 + wi).fma(v, a2);
            a3 = Lanes.bf16(w, r3 + wi).fma(v, a3);
        }
        y.set(F32_LE, outOffsetOfRow(t, row, 0, count), finish(a0, r0, x0));
        y.set(F32_LE, outOffsetOfRow(t, row, 1, count), finish(a1, r1, x0));
        y.set(F32_LE, outOffsetOfRow(t, row, 2, count), finish(a2, r2, x0));
        y.set(F32_LE, outOffsetOfRow(t, row, 3, count), finish(a3, r3, x0));
    }

}
