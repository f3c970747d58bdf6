package dev.pagoda.engine.bench;

import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.engine.cpu.Linear;
import dev.pagoda.engine.cpu.LinearKernels;
import dev.pagoda.engine.cpu.Parallel;
import dev.pagoda.engine.cpu.bench.RandomWeights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Locale;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Which inner loop makes a Q8_0 weight row times one token fastest in Java's Vector API on this
 * machine, single-threaded, over a weight that fits the L3 cache and one that doesn't. Each
 * variant is a self-contained static loop, so the comparison measures the loop; the production
 * kernel (through {@link LinearKernels}) runs first and last as the yardstick. Prints ms per call,
 * weight GB/s, GFLOP/s and a checksum (the int8 variants agree with production to f32 rounding;
 * the f32 one differs by the activation rounding).
 *
 * <p>What it showed on the 2-core AVX2 box (Zen 3): widening weights to f32 ran at ~6 GFLOP/s;
 * int8 activations kept as int16, multiplied in 16 int16 lanes and folded into int32 by shifts,
 * one row per loop, ran at 15-20; two rows per loop were no faster; four rows per loop overran
 * C2's inlining budget (vectors boxed, several times slower); splitting bytes into even/odd int16
 * lanes (one 32-byte load per block) was slower than two widening loads.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp ... dev.pagoda.engine.bench.Q8DotVariants [seconds]}
 */
public final class Q8DotVariants {

    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Short> S16 = ShortVector.SPECIES_256;
    private static final VectorSpecies<Byte> B8 = ByteVector.SPECIES_64;
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Byte> B32 = ByteVector.SPECIES_256;
    private static final int BLOCK = 32, BLOCK_BYTES = 34;

    private Q8DotVariants() {}

    /**
     * One token's activations in every form a variant reads.
     *
     * @param f32    (in) the token as it is
     * @param q16    (in) int16: llama.cpp's Q8_0 quants rint(x / d), d = max|x| / 127 per block of 32
     * @param q8     (in) the same quants as int8
     * @param scales (in / 32) the d of each block
     */
    private record Act(MemorySegment f32, MemorySegment q16, MemorySegment q8, float[] scales) {}

    /** A loop over a whole {@code (out, in)} weight writing {@code y[out]}. */
    private interface Kernel {
        void run(MemorySegment w, int out, int in, Act x, MemorySegment y);
    }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1;
        int[][] shapes = {{4864, 896}, {32768, 896}};
        try (Arena arena = Arena.ofShared(); Parallel one = new Parallel(1)) {
            for (int[] shape : shapes) {
                int out = shape[0], in = shape[1];
                TensorData w = RandomWeights.linear(arena, DType.Q8_0, out, in, 1);
                Act act = quantize(arena, RandomWeights.activations(arena, 1, in, 2), in);
                MemorySegment y = arena.allocate((long) out * Float.BYTES, 64);
                Linear production = LinearKernels.create(w, one, 1);
                Kernel viaProduction = (ww, o, i, a, yy) -> production.forward(a.f32(), yy, 1);
                time("production", seconds, w, y, viaProduction, act);
                time("f32 widen, 4 rows", seconds, w, y, Q8DotVariants::floatFourRows, act);
                time("int16, 1 row", seconds, w, y, Q8DotVariants::int16OneRow, act);
                time("int16, 2 rows", seconds, w, y, Q8DotVariants::int16TwoRows, act);
                time("int16, 4 rows", seconds, w, y, Q8DotVariants::int16FourRows, act);
                time("even/odd int8, 1 row", seconds, w, y, Q8DotVariants::evenOddOneRow, act);
                time("production", seconds, w, y, viaProduction, act);
            }
        }
    }

    private static void time(String name, double seconds, TensorData w, MemorySegment y, Kernel k, Act x) {
        int out = (int) w.dim(0), in = (int) w.dim(1);
        MemorySegment data = MemorySegment.ofAddress(w.data().address()).reinterpret(w.data().byteSize());
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < deadline) k.run(data, out, in, x, y); // warm-up: the JIT compiles the loop
        double best = Double.MAX_VALUE;
        for (int window = 0; window < 5; window++) { // best window: the least disturbed by neighbours
            long calls = 0, t0 = System.nanoTime(), elapsed;
            do {
                k.run(data, out, in, x, y);
                calls++;
                elapsed = System.nanoTime() - t0;
            } while (elapsed < seconds * 0.2e9 || calls < 3);
            best = Math.min(best, elapsed / 1e9 / calls);
        }
        double checksum = 0;
        for (int o = 0; o < out; o++) checksum += y.getAtIndex(F32, o) * (1 + o % 7);
        System.out.printf(Locale.ROOT, "%-22s %6dx%-5d %8.3f ms %7.2f GB/s %7.2f GFLOP/s  checksum %.6f%n", name, out, in,
                best * 1e3, w.data().byteSize() / best / 1e9, 2.0 * out * in / best / 1e9, checksum);
    }

    private static Act quantize(Arena arena, MemorySegment x, int in) {
        MemorySegment q16 = arena.allocate(in * 2L, 64), q8 = arena.allocate(in, 64);
        float[] scales = new float[in / BLOCK];
        for (int b = 0; b < in / BLOCK; b++) {
            float amax = 0;
            for (int i = 0; i < BLOCK; i++) amax = Math.max(amax, Math.abs(x.getAtIndex(F32, b * BLOCK + i)));
            float d = amax / 127, id = d == 0 ? 0 : 1 / d;
            scales[b] = d;
            for (int i = 0; i < BLOCK; i++) {
                int q = (int) Math.rint(x.getAtIndex(F32, b * BLOCK + i) * id);
                q16.setAtIndex(I16, b * BLOCK + i, (short) q);
                q8.set(ValueLayout.JAVA_BYTE, b * BLOCK + i, (byte) q);
            }
        }
        return new Act(x, q16, q8, scales);
    }

    private static float half(MemorySegment w, long offset) {
        return Float.float16ToFloat(w.get(I16, offset));
    }

    private static FloatVector scaled(FloatVector sums, float scale, FloatVector acc) {
        return sums.fma(FloatVector.broadcast(F8, scale), acc);
    }

    /** The previous production approach: weights widened to f32, scaled once per block. */
    static void floatFourRows(MemorySegment w, int out, int in, Act a, MemorySegment y) {
        MemorySegment x = a.f32();
        int blocks = in / BLOCK;
        long rowBytes = (long) blocks * BLOCK_BYTES;
        for (int r = 0; r < out; r += 4) {
            long r0 = r * rowBytes, r1 = r0 + rowBytes, r2 = r1 + rowBytes, r3 = r2 + rowBytes;
            FloatVector a0 = FloatVector.zero(F8), a1 = a0, a2 = a0, a3 = a0;
            for (int b = 0; b < blocks; b++) {
                long bo = (long) b * BLOCK_BYTES;
                FloatVector p0 = FloatVector.zero(F8), p1 = p0, p2 = p0, p3 = p0;
                for (int l = 0; l < BLOCK; l += 8) {
                    FloatVector v = FloatVector.fromMemorySegment(F8, x, ((long) b * BLOCK + l) * 4, LE);
                    long q = bo + 2 + l;
                    p0 = int8AsFloats(w, r0 + q).fma(v, p0);
                    p1 = int8AsFloats(w, r1 + q).fma(v, p1);
                    p2 = int8AsFloats(w, r2 + q).fma(v, p2);
                    p3 = int8AsFloats(w, r3 + q).fma(v, p3);
                }
                a0 = scaled(p0, half(w, r0 + bo), a0);
                a1 = scaled(p1, half(w, r1 + bo), a1);
                a2 = scaled(p2, half(w, r2 + bo), a2);
                a3 = scaled(p3, half(w, r3 + bo), a3);
            }
            y.setAtIndex(F32, r, a0.reduceLanes(VectorOperators.ADD));
            y.setAtIndex(F32, r + 1, a1.reduceLanes(VectorOperators.ADD));
            y.setAtIndex(F32, r + 2, a2.reduceLanes(VectorOperators.ADD));
            y.setAtIndex(F32, r + 3, a3.reduceLanes(VectorOperators.ADD));
        }
    }

    private static FloatVector int8AsFloats(MemorySegment w, long offset) {
        return (FloatVector) ByteVector.fromMemorySegment(B8, w, offset, LE).convertShape(VectorOperators.B2F, F8, 0);
    }

    private static ShortVector w16(MemorySegment w, long offset) {
        return (ShortVector) ByteVector.fromMemorySegment(B16, w, offset, LE).convertShape(VectorOperators.B2S, S16, 0);
    }

    /** Each int lane's two int16 added, by shifts: (v << 16 >> 16) + (v >> 16). */
    private static FloatVector fold(ShortVector p) {
        IntVector v = p.reinterpretAsInts();
        IntVector low = v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16);
        return (FloatVector) low.add(v.lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0);
    }

    /** One block: 2 x 16 int16 products, pairs added in int16 (at most 2 · 128 · 127), folded to 8 int32. */
    private static FloatVector int16Block(MemorySegment w, long block, MemorySegment x, long xo) {
        ShortVector xl = ShortVector.fromMemorySegment(S16, x, xo, LE), xh = ShortVector.fromMemorySegment(S16, x, xo + 32, LE);
        return fold(w16(w, block + 2).mul(xl).add(w16(w, block + 18).mul(xh)));
    }

    static void int16OneRow(MemorySegment w, int out, int in, Act a, MemorySegment y) {
        int blocks = in / BLOCK;
        long rowBytes = (long) blocks * BLOCK_BYTES;
        for (int r = 0; r < out; r++) {
            FloatVector a0 = FloatVector.zero(F8);
            for (int b = 0; b < blocks; b++) {
                long block = r * rowBytes + (long) b * BLOCK_BYTES;
                a0 = scaled(int16Block(w, block, a.q16(), b * 64L), half(w, block) * a.scales()[b], a0);
            }
            y.setAtIndex(F32, r, a0.reduceLanes(VectorOperators.ADD));
        }
    }

    static void int16TwoRows(MemorySegment w, int out, int in, Act a, MemorySegment y) {
        int blocks = in / BLOCK;
        long rowBytes = (long) blocks * BLOCK_BYTES;
        for (int r = 0; r < out; r += 2) {
            FloatVector a0 = FloatVector.zero(F8), a1 = a0;
            for (int b = 0; b < blocks; b++) {
                long b0 = r * rowBytes + (long) b * BLOCK_BYTES, b1 = b0 + rowBytes;
                float d = a.scales()[b];
                a0 = scaled(int16Block(w, b0, a.q16(), b * 64L), half(w, b0) * d, a0);
                a1 = scaled(int16Block(w, b1, a.q16(), b * 64L), half(w, b1) * d, a1);
            }
            y.setAtIndex(F32, r, a0.reduceLanes(VectorOperators.ADD));
            y.setAtIndex(F32, r + 1, a1.reduceLanes(VectorOperators.ADD));
        }
    }

    static void int16FourRows(MemorySegment w, int out, int in, Act a, MemorySegment y) {
        int blocks = in / BLOCK;
        long rowBytes = (long) blocks * BLOCK_BYTES;
        for (int r = 0; r < out; r += 4) {
            FloatVector a0 = FloatVector.zero(F8), a1 = a0, a2 = a0, a3 = a0;
            for (int b = 0; b < blocks; b++) {
                long b0 = r * rowBytes + (long) b * BLOCK_BYTES, b1 = b0 + rowBytes, b2 = b1 + rowBytes, b3 = b2 + rowBytes;
                float d = a.scales()[b];
                a0 = scaled(int16Block(w, b0, a.q16(), b * 64L), half(w, b0) * d, a0);
                a1 = scaled(int16Block(w, b1, a.q16(), b * 64L), half(w, b1) * d, a1);
                a2 = scaled(int16Block(w, b2, a.q16(), b * 64L), half(w, b2) * d, a2);
                a3 = scaled(int16Block(w, b3, a.q16(), b * 64L), half(w, b3) * d, a3);
            }
            y.setAtIndex(F32, r, a0.reduceLanes(VectorOperators.ADD));
            y.setAtIndex(F32, r + 1, a1.reduceLanes(VectorOperators.ADD));
            y.setAtIndex(F32, r + 2, a2.reduceLanes(VectorOperators.ADD));
            y.setAtIndex(F32, r + 3, a3.reduceLanes(VectorOperators.ADD));
        }
    }

    /**
     * One 32-byte load per block: its bytes seen as 16 int16 give the odd elements by an
     * arithmetic shift right and the even ones by a shift left then right; the activations are
     * split the same way.
     */
    static void evenOddOneRow(MemorySegment w, int out, int in, Act a, MemorySegment y) {
        int blocks = in / BLOCK;
        long rowBytes = (long) blocks * BLOCK_BYTES;
        for (int r = 0; r < out; r++) {
            FloatVector a0 = FloatVector.zero(F8);
            for (int b = 0; b < blocks; b++) {
                long block = r * rowBytes + (long) b * BLOCK_BYTES;
                ShortVector xv = ByteVector.fromMemorySegment(B32, a.q8(), (long) b * BLOCK, LE).reinterpretAsShorts();
                ShortVector wv = ByteVector.fromMemorySegment(B32, w, block + 2, LE).reinterpretAsShorts();
                ShortVector p = wv.lanewise(VectorOperators.ASHR, 8).mul(xv.lanewise(VectorOperators.ASHR, 8))
                        .add(evenBytes(wv).mul(evenBytes(xv)));
                a0 = scaled(fold(p), half(w, block) * a.scales()[b], a0);
            }
            y.setAtIndex(F32, r, a0.reduceLanes(VectorOperators.ADD));
        }
    }

    private static ShortVector evenBytes(ShortVector v) {
        return v.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8);
    }
}
