package dev.pagoda.engine.cpu;

import static dev.pagoda.engine.cpu.Lanes.F;
import static dev.pagoda.engine.cpu.Lanes.N;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml Q4_0 weights (blocks of 32: f16 scale d, 16 bytes whose low nibbles are elements 0..15 and
 * high nibbles 16..31; value = d · (q − 8)), unpacked and scaled in registers.
 */
final class Q4_0Linear extends RowTiledLinear {

    private static final int BLOCK = 32;
    private static final int BLOCK_BYTES = 18;
    private final int blocks;

    Q4_0Linear(LinearShape shape, Parallel parallel) {
        super(shape, parallel);
        this.blocks = inF / BLOCK;
    }

    private static FloatVector scale(MemorySegment w, long block) {
        return FloatVector.broadcast(F, Float.float16ToFloat(w.get(I16_LE, block)));
    }

    /** Elements {@code [e, e + N)} of the block at {@code block}, times {@code d}. */
    private static FloatVector decode(MemorySegment w, long block, int e, FloatVector d) {
        IntVector packed = Lanes.bytes(w, block + 2 + (e & 15));
        IntVector q = (e < 16 ? packed : packed.lanewise(VectorOperators.ASHR, 4)).and(0xF).sub(8);
        return ((FloatVector) q.convert(VectorOperators.I2F, 0)).mul(d);
    }

    @Override
    void rowPairTimesTokens(int row, int rows, int t, int count) {
        MemorySegment w = weight, x = in;
        long ra = rowOffset(row, 0, rows), rb = rowOffset(row, 1, rows);
        long x0 = inOffset(t, 0, count), x1 = inOffset(t, 1, count);
        long x2 = inOffset(t, 2, count), x3 = inOffset(t, 3, count);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (int b = 0; b < blocks; b++) {
            long bo = (long) b * BLOCK_BYTES;
            FloatVector da = scale(w, ra + bo), db = scale(w, rb + bo);
            for (int e = 0; e < BLOCK; e += N) {
                FloatVector va = decode(w, ra + bo, e, da), vb = decode(w, rb + bo, e, db);
                long xi = ((long) b * BLOCK + e) * Float.BYTES;
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
        }
        storeTokens(row, t, count, a0, a1, a2, a3);
        storeTokens(row + rows - 1, t, count, b0, b1, b2, b3);
    }

    @Override
    void rowsTimesToken(int row, int count, int t) {
        MemorySegment w = weight, x = in;
        long r0 = rowOffset(row, 0, count), r1 = rowOffset(row, 1, count);
        long r2 = rowOffset(row, 2, count), r3 = rowOffset(row, 3, count);
        long x0 = inOffset(t, 0, 1);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < blocks; b++) {
            long bo = (long) b * BLOCK_BYTES;
            FloatVector d0 = scale(w, r0 + bo), d1 = scale(w, r1 + bo);
            FloatVector d2 = scale(w, r2 + bo), d3 = scale(w, r3 + bo);
            for (int e = 0; e < BLOCK; e += N) {
                FloatVector v = Lanes.f32(x, x0 + ((long) b * BLOCK + e) * Float.BYTES);
                a0 = decode(w, r0 + bo, e, d0).fma(v, a0);
                a1 = decode(w, r1 + bo, e, d1).fma(v, a1);
                a2 = decode(w, r2 + bo, e, d2).fma(v, a2);
                a3 = decode(w, r3 + bo, e, d3).fma(v, a3);
            }
        }
        storeRows(row, count, t, a0, a1, a2, a3);
    }
}
