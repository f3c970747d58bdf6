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
        // The shift is chosen as a scalar: a vector chosen by a conditional meets C2 at a phi,
        // where it cannot keep the vector in registers and allocates a box per decode.
        IntVector packed = Lanes.bytes(w, block + 2 + (e & 15));
        IntVector q = packed.lanewise(VectorOperators.ASHR, e < 16 ? 0 : 4).and(0xF).sub(8);
        return ((FloatVector) q.convert(VectorOperators.I2F, 0)).mul(d);
    }

    @Override
    void rowPairTimesTokens(int row, int rows, int t, int count) {
        MemorySegment w = weight, x = in;
        long x0 = inOffset(t, 0, count), x1 = inOffset(t, 1, count);
        long x2 = inOffset(t, 2, count), x3 = inOffset(t, 3, count);
        for (int i = 0; i < rows; i++) { // one row per pass: see RowTiledLinear on the inlining budget
            long r = rowOffset(row, i, rows);
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int b = 0; b < blocks; b++) {
                long block = r + (long) b * BLOCK_BYTES;
                FloatVector d = scale(w, block);
                for (int e = 0; e < BLOCK; e += N) {
                    FloatVector v = decode(w, block, e, d);
                    long xi = ((long) b * BLOCK + e) * Float.BYTES;
                    a0 = v.fma(Lanes.f32(x, x0 + xi), a0);
                    a1 = v.fma(Lanes.f32(x, x1 + xi), a1);
                    a2 = v.fma(Lanes.f32(x, x2 + xi), a2);
                    a3 = v.fma(Lanes.f32(x, x3 + xi), a3);
                }
            }
            storeTokens(row + i, t, count, a0, a1, a2, a3);
        }
    }

    @Override
    void rowsTimesToken(int row, int count, int t) {
        MemorySegment w = weight, x = in;
        long x0 = inOffset(t, 0, 1);
        for (int p = 0; p < count; p += 2) { // two rows per pass: see RowTiledLinear on the inlining budget
            long ra = rowOffset(row, p, count), rb = rowOffset(row, p + 1, count);
            FloatVector a = FloatVector.zero(F), c = a;
            for (int b = 0; b < blocks; b++) {
                long bo = (long) b * BLOCK_BYTES;
                FloatVector da = scale(w, ra + bo), db = scale(w, rb + bo);
                for (int e = 0; e < BLOCK; e += N) {
                    FloatVector v = Lanes.f32(x, x0 + ((long) b * BLOCK + e) * Float.BYTES);
                    a = decode(w, ra + bo, e, da).fma(v, a);
                    c = decode(w, rb + bo, e, db).fma(v, c);
                }
            }
            storeRow(t, row, p, count, a);
            storeRow(t, row, p + 1, count, c);
        }
    }
}
