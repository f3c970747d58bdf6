package dev.pagoda.engine.cpu;

import static dev.pagoda.engine.cpu.Lanes.F;
import static dev.pagoda.engine.cpu.Lanes.N;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml Q6_K weights: super-blocks of 256 = two halves of 128, each four quarters of 32. A quant
 * is 4 low bits from {@code ql} (quarters 0/1: low nibbles of ql[0..31]/ql[32..63], quarters 2/3:
 * their high nibbles) and 2 high bits from {@code qh[l]} (bits 2·quarter), minus 32; one int8
 * scale per 16 elements and one f16 d per super-block.
 */
final class Q6_KLinear extends RowTiledLinear {

    private static final int BLOCK = 256;
    private static final int BLOCK_BYTES = 210;
    private static final int SUB = 32;
    private static final long HIGH_BITS = 128;
    private static final long SCALES = 192;
    private static final long D = 208;
    private final int blocks;

    Q6_KLinear(LinearShape shape, Parallel parallel) {
        super(shape, parallel);
        this.blocks = inF / BLOCK;
    }

    private static float d(MemorySegment w, long block) {
        return Float.float16ToFloat(w.get(I16_LE, block + D));
    }

    /** Elements {@code [32s + l, 32s + l + N)} of the block (s = 4·half + quarter), dequantized. */
    private static FloatVector decode(MemorySegment w, long block, int s, int l, float d) {
        int half = s >> 2, quarter = s & 3;
        IntVector low = Lanes.bytes(w, block + 64L * half + SUB * (quarter & 1) + l);
        low = (quarter < 2 ? low : low.lanewise(VectorOperators.ASHR, 4)).and(0xF);
        IntVector high = Lanes.bytes(w, block + HIGH_BITS + SUB * half + l)
                .lanewise(VectorOperators.ASHR, 2 * quarter).and(3);
        IntVector q = low.or(high.lanewise(VectorOperators.LSHL, 4)).sub(32);
        float scale = d * w.get(java.lang.foreign.ValueLayout.JAVA_BYTE, block + SCALES + 8 * half + 2 * quarter + l / 16);
        return ((FloatVector) q.convert(VectorOperators.I2F, 0)).mul(scale);
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
            float da = d(w, ra + bo), db = d(w, rb + bo);
            for (int s = 0; s < BLOCK / SUB; s++) {
                for (int l = 0; l < SUB; l += N) {
                    FloatVector va = decode(w, ra + bo, s, l, da), vb = decode(w, rb + bo, s, l, db);
                    long xi = ((long) b * BLOCK + s * SUB + l) * Float.BYTES;
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
            float d0 = d(w, r0 + bo), d1 = d(w, r1 + bo), d2 = d(w, r2 + bo), d3 = d(w, r3 + bo);
            for (int s = 0; s < BLOCK / SUB; s++) {
                for (int l = 0; l < SUB; l += N) {
                    FloatVector v = Lanes.f32(x, x0 + ((long) b * BLOCK + s * SUB + l) * Float.BYTES);
                    a0 = decode(w, r0 + bo, s, l, d0).fma(v, a0);
                    a1 = decode(w, r1 + bo, s, l, d1).fma(v, a1);
                    a2 = decode(w, r2 + bo, s, l, d2).fma(v, a2);
                    a3 = decode(w, r3 + bo, s, l, d3).fma(v, a3);
                }
            }
        }
        storeRows(row, count, t, a0, a1, a2, a3);
    }
}
