package dev.pagoda.engine.cpu;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * ggml Q8_0 weights (blocks of 32: f16 scale, 32 int8) times Q8_0-quantized activations, as
 * llama.cpp computes it: per block an exact integer dot product of the 32 weight and activation
 * quants, then one float multiply-add by the product of the two scales.
 *
 * <p>The integer part in Vector API terms: 16 weight bytes sign-extended to int16 (one
 * {@code vpmovsxbw}), multiplied by 16 int16 activations ({@code vpmullw}); the two half-block
 * products are added in int16, which cannot overflow (|w| ≤ 128 and |x| ≤ 127, so a sum of two
 * products is at most 32512); each int lane's two int16 are then added by shifts into 8 int32
 * sums, converted to float once per block. Measured on this AVX2 machine
 * ({@code dev.pagoda.engine.bench.Q8DotVariants}): 2.5-3x the speed of widening every weight
 * to float, the previous kernel. The Vector API has no byte or short multiply-add-pairs
 * ({@code vpmaddubsw}, {@code vpmaddwd}), which is why llama.cpp's loop stays shorter.
 *
 * <p>Each (row, token) result is the same sequence of operations in every kernel, so results do
 * not depend on the tiling or the thread count; they differ from exact f32 math by the activation
 * rounding (at most half a quantization step, {@code max|x| / 254} per block).
 */
final class Q8_0Linear extends RowTiledLinear {

    private static final int BLOCK = 32;
    private static final int BLOCK_BYTES = 34;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Short> S16 = ShortVector.SPECIES_256;
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;

    private final int blocks;
    private final Q8Activations acts;

    Q8_0Linear(LinearShape shape, Parallel parallel) {
        super(shape, parallel);
        this.blocks = inF / BLOCK;
        this.acts = new Q8Activations(inF);
    }

    @Override
    long activationBytesPerToken() {
        return (long) inF * Short.BYTES;
    }

    @Override
    int tokenChunk() {
        return Q8Activations.CHUNK;
    }

    @Override
    void prepare(MemorySegment in, int first, int count) {
        acts.quantize(in, first, count);
    }

    /** 16 weight quants sign-extended to int16. */
    private static ShortVector weights16(MemorySegment w, long offset) {
        return (ShortVector) ByteVector.fromMemorySegment(B16, w, offset, LE).convertShape(VectorOperators.B2S, S16, 0);
    }

    private static ShortVector acts16(MemorySegment q, long offset) {
        return ShortVector.fromMemorySegment(S16, q, offset, LE);
    }

    /** The 16 int16 pair sums of a block folded into 8 int32 lanes, as floats (exact: |sum| < 2^24). */
    private static FloatVector fold(ShortVector pairs) {
        IntVector v = pairs.reinterpretAsInts();
        IntVector low = v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16);
        return (FloatVector) low.add(v.lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0);
    }

    /** One weight block (quants at {@code q}) against one activation block (quants at {@code x}). */
    private static FloatVector blockDot(MemorySegment w, long q, MemorySegment acts, long x) {
        return fold(weights16(w, q).mul(acts16(acts, x)).add(weights16(w, q + 16).mul(acts16(acts, x + 32))));
    }

    /** {@code acc + sums · scale}. */
    private static FloatVector scaled(FloatVector sums, float scale, FloatVector acc) {
        return sums.fma(FloatVector.broadcast(F8, scale), acc);
    }

    private static float half(MemorySegment w, long offset) {
        return Float.float16ToFloat(w.get(I16_LE, offset));
    }

    /**
     * One row and two tokens per pass: each weight block is widened once for both tokens. Four
     * tokens per pass would share it further but overrun C2's inlining budget (measured: the
     * kernel's vectors boxed, many times slower).
     */
    @Override
    void rowPairTimesTokens(int row, int rows, int t, int count) {
        MemorySegment w = weight, xq = acts.quants, y = out;
        float[] xs = acts.scales;
        for (int i = 0; i < rows; i++) {
            long r = rowOffset(row, i, rows);
            for (int j = 0; j < count; j += 2) {
                int ta = t + j, tb = t + Math.min(j + 1, count - 1);
                long qa = acts.quantOffset(ta), qb = acts.quantOffset(tb);
                int sa = acts.scaleIndex(ta), sb = acts.scaleIndex(tb);
                FloatVector a = FloatVector.zero(F8), c = a;
                for (int b = 0; b < blocks; b++) {
                    long block = r + (long) b * BLOCK_BYTES, x = (long) b * Q8Activations.BLOCK_QUANT_BYTES;
                    ShortVector lo = weights16(w, block + 2), hi = weights16(w, block + 18);
                    float d = half(w, block);
                    a = scaled(fold(lo.mul(acts16(xq, qa + x)).add(hi.mul(acts16(xq, qa + x + 32)))), d * xs[sa + b], a);
                    c = scaled(fold(lo.mul(acts16(xq, qb + x)).add(hi.mul(acts16(xq, qb + x + 32)))), d * xs[sb + b], c);
                }
                y.set(F32_LE, outOffset(t, j, count, row + i), Lanes.sum(a));
                y.set(F32_LE, outOffset(t, j + 1, count, row + i), Lanes.sum(c));
            }
        }
    }

    @Override
    void rowsTimesToken(int row, int count, int t) {
        MemorySegment y = out;
        long q = acts.quantOffset(t);
        int s = acts.scaleIndex(t);
        for (int j = 0; j < count; j++) {
            y.set(F32_LE, ((long) t * outF + row + j) * Float.BYTES, rowDot(weight, (row + j) * rowBytes, blocks, acts, q, s));
        }
    }

    /**
     * One row at a time through {@link #rowDot}: two rows per loop body and their lane sums
     * overran C2's inlining budget (an accumulator boxed per row), and measured, one row was not
     * slower than two.
     */
    @Override
    void rangeTimesFirstToken(int start, int end) {
        MemorySegment w = weight, y = out;
        for (int row = start; row < end; row++) {
            y.set(F32_LE, (long) row * Float.BYTES, rowDot(w, row * rowBytes, blocks, acts, 0, 0));
        }
    }

    /**
     * Weight row at byte {@code r} times the token whose quants start at byte {@code q} and scales
     * at index {@code s}. Small on purpose: C2 compiles it on its own (it returns a float, so
     * nothing boxes) and then removes every bounds check from the block loop; the same loop
     * written inside the row loop kept one check per block (measured ~1.6x slower).
     */
    private static float rowDot(MemorySegment w, long r, int blocks, Q8Activations acts, long q, int s) {
        MemorySegment xq = acts.quants;
        float[] xs = acts.scales;
        FloatVector a = FloatVector.zero(F8);
        for (int b = 0; b < blocks; b++) {
            long block = r + (long) b * BLOCK_BYTES;
            a = scaled(blockDot(w, block + 2, xq, q + (long) b * Q8Activations.BLOCK_QUANT_BYTES), half(w, block) * xs[s + b], a);
        }
        return Lanes.sum(a);
    }
}
