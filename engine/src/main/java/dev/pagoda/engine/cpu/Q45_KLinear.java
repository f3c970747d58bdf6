package dev.pagoda.engine.cpu;

import static dev.pagoda.engine.cpu.Lanes.F;
import static dev.pagoda.engine.cpu.Lanes.N;

import dev.pagoda.catalog.tensor.DType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml Q4_K and Q5_K weights: super-blocks of 256 = eight sub-blocks of 32, each with a 6-bit
 * scale and min; value = d·scale·q − dmin·min. Q4_K's 4-bit quants sit in 128 bytes (64-element
 * chunk c: bytes 32c..32c+31, low nibbles first); Q5_K adds a fifth bit per element from 32
 * bytes {@code qh} (bit j of qh[l] belongs to sub-block j). The two share everything else, so a
 * loop-invariant flag picks the extra bit.
 */
final class Q45_KLinear extends RowTiledLinear {

    private static final int BLOCK = 256;
    private static final int SUB = 32;
    private static final long SCALES = 4;
    private static final long HIGH_BITS = 16; // Q5_K only
    private final boolean fiveBit;
    private final int blockBytes;
    private final long quants; // offset of the 4-bit quants in a block
    private final int blocks;

    Q45_KLinear(LinearShape shape, DType type, Parallel parallel) {
        super(shape, parallel);
        if (type != DType.Q4_K && type != DType.Q5_K) {
            throw new IllegalArgumentException("Q45_KLinear takes Q4_K or Q5_K, got " + type);
        }
        this.fiveBit = type == DType.Q5_K;
        this.blockBytes = type.blockBytes;
        this.quants = fiveBit ? 48 : 16;
        this.blocks = inF / BLOCK;
    }

    private static float f16(MemorySegment w, long offset) {
        return Float.float16ToFloat(w.get(I16_LE, offset));
    }

    private static FloatVector subScale(MemorySegment w, long block, int s) {
        return FloatVector.broadcast(F, f16(w, block) * KQuantScales.scale(w, block + SCALES, s));
    }

    private static FloatVector subOffset(MemorySegment w, long block, int s) {
        return FloatVector.broadcast(F, -(f16(w, block + 2) * KQuantScales.min(w, block + SCALES, s)));
    }

    /** Elements {@code [32s + l, 32s + l + N)} of the block, dequantized. */
    private FloatVector decode(MemorySegment w, long block, int s, int l, FloatVector scale, FloatVector offset) {
        IntVector packed = Lanes.bytes(w, block + quants + SUB * (s >> 1) + l);
        IntVector q = ((s & 1) == 0 ? packed : packed.lanewise(VectorOperators.ASHR, 4)).and(0xF);
        if (fiveBit) {
            IntVector high = Lanes.bytes(w, block + HIGH_BITS + l).lanewise(VectorOperators.ASHR, s).and(1);
            q = q.or(high.lanewise(VectorOperators.LSHL, 4));
        }
        return ((FloatVector) q.convert(VectorOperators.I2F, 0)).fma(scale, offset);
    }

    @Override
    void rowPairTimesTokens(int row, int rows, int t, int count) {
        MemorySegment w = weight, x = in;
        long ra = rowOffset(row, 0, rows), rb = rowOffset(row, 1, rows);
        long x0 = inOffset(t, 0, count), x1 = inOffset(t, 1, count);
        long x2 = inOffset(t, 2, count), x3 = inOffset(t, 3, count);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (int b = 0; b < blocks; b++) {
            long bo = (long) b * blockBytes;
            for (int s = 0; s < BLOCK / SUB; s++) {
                FloatVector sa = subScale(w, ra + bo, s), oa = subOffset(w, ra + bo, s);
                FloatVector sb = subScale(w, rb + bo, s), ob = subOffset(w, rb + bo, s);
                for (int l = 0; l < SUB; l += N) {
                    FloatVector va = decode(w, ra + bo, s, l, sa, oa), vb = decode(w, rb + bo, s, l, sb, ob);
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
            long bo = (long) b * blockBytes;
            for (int s = 0; s < BLOCK / SUB; s++) {
                FloatVector s0 = subScale(w, r0 + bo, s), o0 = subOffset(w, r0 + bo, s);
                FloatVector s1 = subScale(w, r1 + bo, s), o1 = subOffset(w, r1 + bo, s);
                FloatVector s2 = subScale(w, r2 + bo, s), o2 = subOffset(w, r2 + bo, s);
                FloatVector s3 = subScale(w, r3 + bo, s), o3 = subOffset(w, r3 + bo, s);
                for (int l = 0; l < SUB; l += N) {
                    FloatVector v = Lanes.f32(x, x0 + ((long) b * BLOCK + s * SUB + l) * Float.BYTES);
                    a0 = decode(w, r0 + bo, s, l, s0, o0).fma(v, a0);
                    a1 = decode(w, r1 + bo, s, l, s1, o1).fma(v, a1);
                    a2 = decode(w, r2 + bo, s, l, s2, o2).fma(v, a2);
                    a3 = decode(w, r3 + bo, s, l, s3, o3).fma(v, a3);
                }
            }
        }
        storeRows(row, count, t, a0, a1, a2, a3);
    }
}
