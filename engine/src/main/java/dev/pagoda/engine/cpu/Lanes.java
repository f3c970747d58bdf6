package dev.pagoda.engine.cpu;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shapes the linear kernels use and the loads that widen stored weights to floats.
 * All lanes counts derive from one float species: AVX2 gives 8 floats, AVX-512 16. Machines with
 * narrower vectors still get 8 lanes (correct, slower) because the quantized decoders need at
 * least 8 bytes per load, the smallest byte vector.
 *
 * <p>Every helper here that returns a vector stays under 35 bytecodes, C2's limit for inlining
 * at any call site: a vector returned by a call that was not inlined is boxed, and every vector
 * live across that call with it (measured: hundreds of MB allocated per forward call). Kernels
 * therefore spell their decoders out from these pieces instead of calling a larger helper.
 */
final class Lanes {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.length() >= 8
            ? FloatVector.SPECIES_PREFERRED
            : FloatVector.SPECIES_256;
    /** Floats per vector. */
    static final int N = F.length();
    static final VectorSpecies<Integer> I = F.withLanes(int.class);
    /** N shorts, the stored width of N half-precision weights. */
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(N * 16));
    /** N bytes, the stored width of N 8-bit quants (or 2N nibbles). */
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(N * 8));

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final float F16_EXPONENT_REBIAS = 0x1p112f; // 2^(127 - 15)

    private Lanes() {}

    static FloatVector f32(MemorySegment s, long offset) {
        return FloatVector.fromMemorySegment(F, s, offset, LE);
    }

    /** N consecutive bytes sign-extended to ints. */
    static IntVector bytes(MemorySegment s, long offset) {
        return (IntVector) ByteVector.fromMemorySegment(B, s, offset, LE).convertShape(VectorOperators.B2I, I, 0);
    }

    /** {@code (byte >> shift) & mask} of N consecutive bytes: one field of packed quants. */
    static IntVector bits(MemorySegment s, long offset, int shift, int mask) {
        return bytes(s, offset).lanewise(VectorOperators.ASHR, shift).and(mask);
    }

    static FloatVector toFloat(IntVector v) {
        return (FloatVector) v.convert(VectorOperators.I2F, 0);
    }

    /** N consecutive int8 values as floats. */
    static FloatVector int8(MemorySegment s, long offset) {
        return (FloatVector) ByteVector.fromMemorySegment(B, s, offset, LE).convertShape(VectorOperators.B2F, F, 0);
    }

    /** bfloat16 is the top half of a float32: widening and shifting into place is exact. */
    static FloatVector bf16(MemorySegment s, long offset) {
        return shorts(s, offset).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /**
     * IEEE half to float without a lookup table: moving exponent and mantissa up 13 bits and
     * multiplying by 2^112 rebiases the exponent and renormalises subnormals in one exact step;
     * the sign is or-ed back, and an all-ones exponent (inf, NaN) is forced to all ones. That
     * case is found by carrying {@code (h & 0x7c00) + 0x400} into bit 15 rather than by a mask
     * and blend: fewer IR nodes, which keeps the kernels under the JIT's inlining budget.
     */
    static FloatVector f16(MemorySegment s, long offset) {
        IntVector h = shorts(s, offset);
        IntVector magnitude = h.and(0x7fff).lanewise(VectorOperators.LSHL, 13);
        IntVector scaled = magnitude.reinterpretAsFloats().mul(F16_EXPONENT_REBIAS).reinterpretAsInts();
        IntVector infOrNan = h.and(0x7c00).add(0x400).lanewise(VectorOperators.LSHR, 15).neg().and(0x7f800000);
        IntVector sign = h.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        return scaled.or(infOrNan).or(sign).reinterpretAsFloats();
    }

    /**
     * Sum of the lanes in a fixed order. {@code reduceLanes(ADD)} may associate differently once
     * the JIT compiles it, which would make a result depend on warm-up; this does not.
     */
    static float sum(FloatVector v) {
        float s = 0;
        for (int i = 0; i < v.length(); i++) s += v.lane(i);
        return s;
    }

    private static IntVector shorts(MemorySegment s, long offset) {
        return (IntVector) ShortVector.fromMemorySegment(S, s, offset, LE).convertShape(VectorOperators.S2I, I, 0);
    }
}
