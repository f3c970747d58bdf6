package dev.pagoda.engine.cpu;

import static dev.pagoda.engine.cpu.Lanes.F;
import static dev.pagoda.engine.cpu.Lanes.N;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * ggml Q8_0 weights (blocks of 32: f16 scale, 32 int8). Each quant vector is widened to floats
 * and scaled in registers, then shared by the kernel's four FMA chains.
 */
final class Q8_0Linear extends RowTiledLinear {

    private static final int BLOCK = 32;
    private static final int BLOCK_BYTES = 34;
    private final int blocks;

    Q8_0Linear(LinearShape shape, Parallel parallel) {
        super(shape, parallel);
        this.blocks = inF / BLOCK;
    }

    private static FloatVector scale(MemorySegment w, long block) {
        return FloatVector.broadcast(F, Float.float16ToFloat(w.get(I16_LE, block)));
    }

    @Override
    void rowTimesTokens(int row, int t, int count) {
        MemorySegment w = weight, x = in, y = out;
        long r = row * rowBytes;
        long x0 = inOffset(t, 0, count), x1 = inOffset(t, 1, count);
        long x2 = inOffset(t, 2, count), x3 = inOffset(t, 3, count);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < blocks; b++) {
            long block = r + (long) b * BLOCK_BYTES;
            FloatVector d = scale(w, block);
            for (int l = 0; l < BLOCK; l += N) {
                FloatVector v = Lanes.int8(w, block + 2 + l).mul(d);
                long xi = ((long) b * BLOCK + l) * Float.BYTES;
                a0 = v.fma(Lanes.f32(x, x0 + xi), a0);
                a1 = v.fma(Lanes.f32(x, x1 + xi), a1);
                a2 = v.fma(Lanes.f32(x, x2 + xi), a2);
                a3 = v.fma(Lanes.f32(x, x3 + xi), a3);
            }
        }
        y.set(F32_LE, outOffset(t, 0, count, row), Lanes.sum(a0));
        y.set(F32_LE, outOffset(t, 1, count, row), Lanes.sum(a1));
        y.set(F32_LE, outOffset(t, 2, count, row), Lanes.sum(a2));
        y.set(F32_LE, outOffset(t, 3, count, row), Lanes.sum(a3));
    }

    @Override
    void rowsTimesToken(int row, int count, int t) {
        MemorySegment w = weight, x = in, y = out;
        long r0 = rowOffset(row, 0, count), r1 = rowOffset(row, 1, count);
        long r2 = rowOffset(row, 2, count), r3 = rowOffset(row, 3, count);
        long x0 = inOffset(t, 0, 1);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < blocks; b++) {
            long bo = (long) b * BLOCK_BYTES;
            FloatVector d0 = scale(w, r0 + bo), d1 = scale(w, r1 + bo);
            FloatVector d2 = scale(w, r2 + bo), d3 = scale(w, r3 + bo);
            for (int l = 0; l < BLOCK; l += N) {
                FloatVector v = Lanes.f32(x, x0 + ((long) b * BLOCK + l) * Float.BYTES);
                long q = bo + 2 + l;
                a0 = Lanes.int8(w, r0 + q).mul(d0).fma(v, a0);
                a1 = Lanes.int8(w, r1 + q).mul(d1).fma(v, a1);
                a2 = Lanes.int8(w, r2 + q).mul(d2).fma(v, a2);
                a3 = Lanes.int8(w, r3 + q).mul(d3).fma(v, a3);
            }
        }
        y.set(F32_LE, outOffsetOfRow(t, row, 0, count), Lanes.sum(a0));
        y.set(F32_LE, outOffsetOfRow(t, row, 1, count), Lanes.sum(a1));
        y.set(F32_LE, outOffsetOfRow(t, row, 2, count), Lanes.sum(a2));
        y.set(F32_LE, outOffsetOfRow(t, row, 3, count), Lanes.sum(a3));
    }
}
