package dev.pagoda.engine.cpu;

import static dev.pagoda.engine.cpu.Lanes.F;
import static dev.pagoda.engine.cpu.Lanes.N;
import static jdk.incubator.vector.VectorOperators.LSHL;

import dev.pagoda.catalog.tensor.DType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml Q4_K and Q5_K weights: super-blocks of 256 = eight sub-blocks of 32, each with a 6-bit
 * scale and min; value = d·scale·q − dmin·min. Q4_K's 4-bit quants sit in 128 bytes (64-element
 * chunk c: bytes 32c..32c+31, low nibbles first); Q5_K adds a fifth bit per element from 32
 * bytes {@code qh} (bit j of qh[l] belongs to sub-block j). The two share everything else, so a
 * loop-invariant mask keeps or drops the extra bit (Q4_K's bytes at HIGH_BITS are quants, read
 * and masked away): no vector is chosen by a branch, since a vector phi makes C2 box it.
 */
final class Q45_KLinear extends RowTiledLinear {

    private static final int BLOCK = 256;
    private static final int SUB = 32;
    private static final long SCALES = 4;
    private static final long HIGH_BITS = 16; // Q5_K only
    private final int fifthBit; // 1 for Q5_K, 0 for Q4_K (masks the fifth bit away)
    private final int blockBytes;
    private final long quants; // offset of the 4-bit quants in a block
    private final int blocks;

    Q45_KLinear(LinearShape shape, DType type, Parallel parallel) {
        super(shape, parallel);
        if (type != DType.Q4_K && type != DType.Q5_K) {
            throw new IllegalArgumentException("Q45_KLinear takes Q4_K or Q5_K, got " + type);
        }
        this.fifthBit = type == DType.Q5_K ? 1 : 0;
        this.blockBytes = type.blockBytes;
        this.quants = type == DType.Q5_K ? 48 : 16;
        this.blocks = inF / BLOCK;
    }

    private static float f16(MemorySegment w, long offset) {
        return Float.float16ToFloat(w.get(I16_LE, offset));
    }

    // Scalars, broadcast by the caller: a helper that returned a vector and missed inlining
    // would box it.
    /** Offset of the low 4 bits of elements {@code [32s + l, +N)}. */
    private long low(long block, int s, int l) {
        return block + quants + SUB * (s >> 1) + l;
    }

    private static float subScale(MemorySegment w, long block, int s) {
        return f16(w, block) * KQuantScales.scale(w, block + SCALES, s);
    }

    private static float subOffset(MemorySegment w, long block, int s) {
        return -(f16(w, block + 2) * KQuantScales.min(w, block + SCALES, s));
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
                long block = r + (long) b * blockBytes;
                for (int s = 0; s < BLOCK / SUB; s++) {
                    FloatVector scale = FloatVector.broadcast(F, subScale(w, block, s));
                    FloatVector offset = FloatVector.broadcast(F, subOffset(w, block, s));
                    for (int l = 0; l < SUB; l += N) {
                        FloatVector v = Lanes.toFloat(Lanes.bits(w, low(block, s, l), 4 * (s & 1), 0xF)
                                .or(Lanes.bits(w, block + HIGH_BITS + l, s, fifthBit).lanewise(LSHL, 4)))
                                .fma(scale, offset);
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
        // One row per pass: two Q5_K decoders in one loop body already overran C2's inlining
        // budget (see RowTiledLinear); the decode's own latency hides the single FMA chain.
        for (int p = 0; p < count; p++) {
            long r = rowOffset(row, p, count);
            FloatVector a = FloatVector.zero(F);
            for (int b = 0; b < blocks; b++) {
                long block = r + (long) b * blockBytes;
                for (int s = 0; s < BLOCK / SUB; s++) {
                    FloatVector scale = FloatVector.broadcast(F, subScale(w, block, s));
                    FloatVector offset = FloatVector.broadcast(F, subOffset(w, block, s));
                    for (int l = 0; l < SUB; l += N) {
                        FloatVector v = Lanes.f32(x, x0 + ((long) b * BLOCK + s * SUB + l) * Float.BYTES);
                        a = Lanes.toFloat(Lanes.bits(w, low(block, s, l), 4 * (s & 1), 0xF)
                                .or(Lanes.bits(w, block + HIGH_BITS + l, s, fifthBit).lanewise(LSHL, 4)))
                                .fma(scale, offset).fma(v, a);
                    }
                }
            }
            storeRow(t, row, p, count, a);
        }
    }
}
