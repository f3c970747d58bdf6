package dev.pagoda.engine.cpu;

import static dev.pagoda.engine.cpu.Lanes.F;
import static dev.pagoda.engine.cpu.Lanes.N;
import static jdk.incubator.vector.VectorOperators.LSHL;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
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

    /** Offset of the low nibbles of elements {@code [32s + l, +N)} (s = 4·half + quarter). */
    private static long low(long block, int s, int l) {
        return block + 64L * (s >> 2) + SUB * (s & 1) + l;
    }

    /** Offset of their two high bits. */
    private static long high(long block, int s, int l) {
        return block + HIGH_BITS + SUB * (s >> 2) + l;
    }

    /** d times the int8 scale of elements {@code [32s + l, +N)} (one scale per 16 elements). */
    private static float scale(MemorySegment w, long block, int s, int l, float d) {
        return d * w.get(ValueLayout.JAVA_BYTE, block + SCALES + 8 * (s >> 2) + 2 * (s & 3) + l / 16);
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
                float d = d(w, block);
                for (int s = 0; s < BLOCK / SUB; s++) {
                    for (int l = 0; l < SUB; l += N) {
                        FloatVector v = Lanes.toFloat(Lanes.bits(w, low(block, s, l), 4 * ((s & 3) >> 1), 0xF)
                                .or(Lanes.bits(w, high(block, s, l), 2 * (s & 3), 3).lanewise(LSHL, 4))
                                .sub(32)).mul(scale(w, block, s, l, d));
                        long xi = ((long) b * BLOCK + s * SUB + l) * Float.BYTES;
                        a0 = v.fma(Lanes.f32(x, x0 + xi), a0);
                        a1 = v.fma(Lanes.f32(x, x1 + xi), a1);
                        a2 = v.fma(Lanes.f32(x, x2 + xi), a2);
                        a3 = v.fma(Lanes.f32(x, x3 + xi), a3);
                    }
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
                float da = d(w, ra + bo), db = d(w, rb + bo);
                for (int s = 0; s < BLOCK / SUB; s++) {
                    for (int l = 0; l < SUB; l += N) {
                        FloatVector v = Lanes.f32(x, x0 + ((long) b * BLOCK + s * SUB + l) * Float.BYTES);
                        a = Lanes.toFloat(Lanes.bits(w, low(ra + bo, s, l), 4 * ((s & 3) >> 1), 0xF)
                                .or(Lanes.bits(w, high(ra + bo, s, l), 2 * (s & 3), 3).lanewise(LSHL, 4))
                                .sub(32)).mul(scale(w, ra + bo, s, l, da)).fma(v, a);
                        c = Lanes.toFloat(Lanes.bits(w, low(rb + bo, s, l), 4 * ((s & 3) >> 1), 0xF)
                                .or(Lanes.bits(w, high(rb + bo, s, l), 2 * (s & 3), 3).lanewise(LSHL, 4))
                                .sub(32)).mul(scale(w, rb + bo, s, l, db)).fma(v, c);
                    }
                }
            }
            storeRow(t, row, p, count, a);
            storeRow(t, row, p + 1, count, c);
        }
    }
}
