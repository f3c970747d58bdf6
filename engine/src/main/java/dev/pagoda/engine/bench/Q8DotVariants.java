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
 * Which inner loop makes a Q8_0 row-times-token dot product fastest in Java's Vector API on this
 * machine: single-threaded, one token, four rows per pass, over a weight bigger than the L3 cache
 * and over one that fits. Each variant is a self-contained loop so the comparison measures the
 * loop, not the driver around it; the production kernel (through {@link LinearKernels}) is timed
 * alongside. Prints ms per call, weight GB/s and GFLOP/s, and the variant's result checksum
 * (the variants must agree to a few ulps, the int8 ones among themselves exactly).
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp ... dev.pagoda.engine.bench.Q8DotVariants [seconds]}
 */
public final class Q8DotVariants {

    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I8 = IntVector.SPECIES_256;
    private static final VectorSpecies<Short> S16 = ShortVector.SPECIES_256;
    private static final VectorSpecies<Byte> B8 = ByteVector.SPECIES_64;
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Byte> B32 = ByteVector.SPECIES_256;
    private static final int BLOCK = 32, BLOCK_BYTES = 34;

    private Q8DotVariants() {}

    /** One token's activations in every form a variant wants. */
    private record Act(MemorySegment f32, MemorySegment q16, MemorySegment q8, float[] scales) {}

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
                MemorySegment x = RandomWeights.activations(arena, 1, in, 2);
                Act act = quantize(arena, x, in);
                MemorySegment y = arena.allocate((long) out * Float.BYTES, 64);
                Linear production = LinearKernels.create(w, one, 1);
                time("production", seconds, w, out, in, y, (ww, o, i, a, yy) -> production.forward(a.f32(), yy, 1), act);
                time("int16 shift, 1 row", seconds, w, out, in, y, Q8DotVariants::int16OneRow, act);
                time("int16 shift, 1 row x2", seconds, w, out, in, y, Q8DotVariants::int16OneRowUnrolled, act);
                time("int16 shift, 2 rows", seconds, w, out, in, y, Q8DotVariants::int16TwoRows, act);
                time("production", seconds, w, out, in, y, (ww, o, i, a, yy) -> production.forward(a.f32(), yy, 1), act);
            }
        }
    }

    private static void time(String name, double seconds, TensorData w, int out, int in, MemorySegment y, Kernel k, Act x) {
        MemorySegment data = MemorySegment.ofAddress(w.data().address()).reinterpret(w.data().byteSize());
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < deadline) k.run(data, out, in, x, y); // warm-up
        double best = Double.MAX_VALUE;
        for (int window = 0; window < 5; window++) {
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
        System.out.printf(Locale.ROOT, "%-24s %6dx%-5d %8.3f ms %7.2f GB/s %7.2f GFLOP/s  checksum %.6f%n", name, out, in,
                best * 1e3, w.data().byteSize() / best / 1e9, 2.0 * out * in / best / 1e9, checksum);
    }

    /** llama.cpp's quantize_row_q8_0 of one row, kept as int16, as int8, and with the scales. */
    private static Act quantize(Arena arena, MemorySegment x, int in) {
        MemorySegment q16 = arena.allocate(in * 2L, 64), q8 = arena.allocate(in, 64);
        float[] scales = new float[in / BLOCK];
        for (int b = 0; b < in / BLOCK; b++) {
            float amax = 0;
            for (int i = 0; i < BLOCK; i++) amax = Math.max(amax, Math.abs(x.getAtIndex(F32, b * BLOCK + i)));
            float d = amax / 127, id = d == 0 ? 0 : 1 / d;
            scales[b] = d;
            for (int i = 0; i < BLOCK; i++) {
                int q = Math.round(x.getAtIndex(F32, b * BLOCK + i) * id);
                q16.setAtIndex(I16, b * BLOCK + i, (short) q);
                q8.set(ValueLayout.JAVA_BYTE, b * BLOCK + i, (byte) q);
            }
        }
        return new Act(x, q16, q8, scales);
    }

    private static float half(MemorySegment w, long offset) {
        return Float.float16ToFloat(w.get(I16, offset));
    }

    private static float sum(FloatVector v) {
        return v.reduceLanes(VectorOperators.ADD);
    }

    /** Floats throughout; the block scale is applied once per block instead of once per element. */
    static void floatBlockScale(MemorySegment w, int out, int in, Act a, MemorySegment y) {
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
                    p0 = toF(w, r0 + q).fma(v, p0);
                    p1 = toF(w, r1 + q).fma(v, p1);
                    p2 = toF(w, r2 + q).fma(v, p2);
                    p3 = toF(w, r3 + q).fma(v, p3);
                }
                a0 = p0.fma(FloatVector.broadcast(F8, half(w, r0 + bo)), a0);
                a1 = p1.fma(FloatVector.broadcast(F8, half(w, r1 + bo)), a1);
                a2 = p2.fma(FloatVector.broadcast(F8, half(w, r2 + bo)), a2);
                a3 = p3.fma(FloatVector.broadcast(F8, half(w, r3 + bo)), a3);
            }
            y.setAtIndex(F32, r, sum(a0));
            y.setAtIndex(F32, r + 1, sum(a1));
            y.setAtIndex(F32, r + 2, sum(a2));
            y.setAtIndex(F32, r + 3, sum(a3));
        }
    }

    private static FloatVector toF(MemorySegment w, long offset) {
        return (FloatVector) ByteVector.fromMemorySegment(B8, w, offset, LE).convertShape(VectorOperators.B2F, F8, 0);
    }

    /** 16 weights widened to shorts. */
    private static ShortVector w16(MemorySegment w, long offset) {
        return (ShortVector) ByteVector.fromMemorySegment(B16, w, offset, LE).convertShape(VectorOperators.B2S, S16, 0);
    }

    private static ShortVector x16(MemorySegment x, long offset) {
        return ShortVector.fromMemorySegment(S16, x, offset, LE);
    }

    /** 16 pair sums of int16 products widened to 8 int lanes by converting each half. */
    private static IntVector halves(ShortVector p) {
        IntVector lo = (IntVector) p.convertShape(VectorOperators.S2I, I8, 0);
        IntVector hi = (IntVector) p.convertShape(VectorOperators.S2I, I8, 1);
        return lo.add(hi);
    }

    /** The same, adding each int lane's two shorts with shifts instead. */
    private static IntVector shifts(ShortVector p) {
        IntVector v = p.reinterpretAsInts();
        return v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(v.lanewise(VectorOperators.ASHR, 16));
    }

    /**
     * int8 activations kept as int16: per block two 16-lane multiplies whose sums fit int16
     * (|w| ≤ 128, |x| ≤ 127, two products ≤ 32512), then one widening to int and one float FMA
     * by the product of the two scales.
     */
    static void int16Halves(MemorySegment w, int out, int in, Act a, MemorySegment y) {
        int16(w, out, in, a, y, false);
    }

    static void int16Shift(MemorySegment w, int out, int in, Act a, MemorySegment y) {
        int16(w, out, in, a, y, true);
    }

    private static void int16(MemorySegment w, int out, int in, Act a, MemorySegment y, boolean shift) {
        MemorySegment x = a.q16();
        float[] xs = a.scales();
        int blocks = in / BLOCK;
        long rowBytes = (long) blocks * BLOCK_BYTES;
        for (int r = 0; r < out; r += 4) {
            long r0 = r * rowBytes, r1 = r0 + rowBytes, r2 = r1 + rowBytes, r3 = r2 + rowBytes;
            FloatVector a0 = FloatVector.zero(F8), a1 = a0, a2 = a0, a3 = a0;
            for (int b = 0; b < blocks; b++) {
                long bo = (long) b * BLOCK_BYTES;
                long xo = (long) b * BLOCK * 2;
                ShortVector xl = x16(x, xo), xh = x16(x, xo + 32);
                float d = xs[b];
                ShortVector p0 = w16(w, r0 + bo + 2).mul(xl).add(w16(w, r0 + bo + 18).mul(xh));
                ShortVector p1 = w16(w, r1 + bo + 2).mul(xl).add(w16(w, r1 + bo + 18).mul(xh));
                ShortVector p2 = w16(w, r2 + bo + 2).mul(xl).add(w16(w, r2 + bo + 18).mul(xh));
                ShortVector p3 = w16(w, r3 + bo + 2).mul(xl).add(w16(w, r3 + bo + 18).mul(xh));
                IntVector i0 = shift ? shifts(p0) : halves(p0);
                IntVector i1 = shift ? shifts(p1) : halves(p1);
                IntVector i2 = shift ? shifts(p2) : halves(p2);
                IntVector i3 = shift ? shifts(p3) : halves(p3);
                a0 = ((FloatVector) i0.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F8, half(w, r0 + bo) * d), a0);
                a1 = ((FloatVector) i1.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F8, half(w, r1 + bo) * d), a1);
                a2 = ((FloatVector) i2.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F8, half(w, r2 + bo) * d), a2);
                a3 = ((FloatVector) i3.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F8, half(w, r3 + bo) * d), a3);
            }
            y.setAtIndex(F32, r, sum(a0));
            y.setAtIndex(F32, r + 1, sum(a1));
            y.setAtIndex(F32, r + 2, sum(a2));
            y.setAtIndex(F32, r + 3, sum(a3));
        }
    }

    /**
     * One 32-byte load per block and row: the bytes viewed as 16 shorts give the odd elements by
     * an arithmetic shift right and the even ones by shift left then right. The activations were
     * stored as int16 too, so they are split the same way (a real kernel would store them split).
     */
    static void evenOdd(MemorySegment w, int out, int in, Act a, MemorySegment y) {
        MemorySegment x = a.q8();
        float[] xs = a.scales();
        int blocks = in / BLOCK;
        long rowBytes = (long) blocks * BLOCK_BYTES;
        for (int r = 0; r < out; r += 4) {
            long r0 = r * rowBytes, r1 = r0 + rowBytes, r2 = r1 + rowBytes, r3 = r2 + rowBytes;
            FloatVector a0 = FloatVector.zero(F8), a1 = a0, a2 = a0, a3 = a0;
            for (int b = 0; b < blocks; b++) {
                long bo = (long) b * BLOCK_BYTES;
                ShortVector xv = ByteVector.fromMemorySegment(B32, x, (long) b * BLOCK, LE).reinterpretAsShorts();
                ShortVector xo = xv.lanewise(VectorOperators.ASHR, 8);
                ShortVector xe = xv.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8);
                float d = xs[b];
                a0 = evenOddBlock(w, r0 + bo, xe, xo, d, a0);
                a1 = evenOddBlock(w, r1 + bo, xe, xo, d, a1);
                a2 = evenOddBlock(w, r2 + bo, xe, xo, d, a2);
                a3 = evenOddBlock(w, r3 + bo, xe, xo, d, a3);
            }
            y.setAtIndex(F32, r, sum(a0));
            y.setAtIndex(F32, r + 1, sum(a1));
            y.setAtIndex(F32, r + 2, sum(a2));
            y.setAtIndex(F32, r + 3, sum(a3));
        }
    }

    private static FloatVector evenOddBlock(MemorySegment w, long block, ShortVector xe, ShortVector xo, float d, FloatVector acc) {
        ShortVector wv = ByteVector.fromMemorySegment(B32, w, block + 2, LE).reinterpretAsShorts();
        ShortVector p = wv.lanewise(VectorOperators.ASHR, 8).mul(xo)
                .add(wv.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8).mul(xe));
        return ((FloatVector) shifts(p).convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F8, half(w, block) * d), acc);
    }

    /** {@link #floatBlockScale} with the block's four 8-lane steps written out: no inner loop. */
    static void floatUnrolled(MemorySegment w, int out, int in, Act a, MemorySegment y) {
        MemorySegment x = a.f32();
        int blocks = in / BLOCK;
        long rowBytes = (long) blocks * BLOCK_BYTES;
        for (int r = 0; r < out; r += 4) {
            long r0 = r * rowBytes, r1 = r0 + rowBytes, r2 = r1 + rowBytes, r3 = r2 + rowBytes;
            FloatVector a0 = FloatVector.zero(F8), a1 = a0, a2 = a0, a3 = a0;
            for (int b = 0; b < blocks; b++) {
                long bo = (long) b * BLOCK_BYTES, xo = (long) b * BLOCK * 4;
                FloatVector v0 = FloatVector.fromMemorySegment(F8, x, xo, LE);
                FloatVector v1 = FloatVector.fromMemorySegment(F8, x, xo + 32, LE);
                FloatVector v2 = FloatVector.fromMemorySegment(F8, x, xo + 64, LE);
                FloatVector v3 = FloatVector.fromMemorySegment(F8, x, xo + 96, LE);
                a0 = blockDot(w, r0 + bo, v0, v1, v2, v3).fma(FloatVector.broadcast(F8, half(w, r0 + bo)), a0);
                a1 = blockDot(w, r1 + bo, v0, v1, v2, v3).fma(FloatVector.broadcast(F8, half(w, r1 + bo)), a1);
                a2 = blockDot(w, r2 + bo, v0, v1, v2, v3).fma(FloatVector.broadcast(F8, half(w, r2 + bo)), a2);
                a3 = blockDot(w, r3 + bo, v0, v1, v2, v3).fma(FloatVector.broadcast(F8, half(w, r3 + bo)), a3);
            }
            y.setAtIndex(F32, r, sum(a0));
            y.setAtIndex(F32, r + 1, sum(a1));
            y.setAtIndex(F32, r + 2, sum(a2));
            y.setAtIndex(F32, r + 3, sum(a3));
        }
    }

    private static FloatVector blockDot(MemorySegment w, long block, FloatVector v0, FloatVector v1, FloatVector v2, FloatVector v3) {
        return toF(w, block + 2).mul(v0).add(toF(w, block + 10).mul(v1)).add(toF(w, block + 18).mul(v2)).add(toF(w, block + 26).mul(v3));
    }

    static void int16TwoRows(MemorySegment w, int out, int in, Act a, MemorySegment y) {
        MemorySegment x = a.q16();
        float[] xs = a.scales();
        int blocks = in / BLOCK;
        long rowBytes = (long) blocks * BLOCK_BYTES;
        for (int r = 0; r < out; r += 2) {
            long r0 = r * rowBytes, r1 = r0 + rowBytes;
            FloatVector a0 = FloatVector.zero(F8), a1 = a0;
            for (int b = 0; b < blocks; b++) {
                long bo = (long) b * BLOCK_BYTES;
                long xo = (long) b * BLOCK * 2;
                ShortVector xl = x16(x, xo), xh = x16(x, xo + 32);
                float d = xs[b];
                ShortVector p0 = w16(w, r0 + bo + 2).mul(xl).add(w16(w, r0 + bo + 18).mul(xh));
                ShortVector p1 = w16(w, r1 + bo + 2).mul(xl).add(w16(w, r1 + bo + 18).mul(xh));
                a0 = ((FloatVector) shifts(p0).convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F8, half(w, r0 + bo) * d), a0);
                a1 = ((FloatVector) shifts(p1).convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F8, half(w, r1 + bo) * d), a1);
            }
            y.setAtIndex(F32, r, sum(a0));
            y.setAtIndex(F32, r + 1, sum(a1));
        }
    }

    static void floatTwoRows(MemorySegment w, int out, int in, Act a, MemorySegment y) {
        MemorySegment x = a.f32();
        int blocks = in / BLOCK;
        long rowBytes = (long) blocks * BLOCK_BYTES;
        for (int r = 0; r < out; r += 2) {
            long r0 = r * rowBytes, r1 = r0 + rowBytes;
            FloatVector a0 = FloatVector.zero(F8), a1 = a0;
            for (int b = 0; b < blocks; b++) {
                long bo = (long) b * BLOCK_BYTES, xo = (long) b * BLOCK * 4;
                FloatVector v0 = FloatVector.fromMemorySegment(F8, x, xo, LE);
                FloatVector v1 = FloatVector.fromMemorySegment(F8, x, xo + 32, LE);
                FloatVector v2 = FloatVector.fromMemorySegment(F8, x, xo + 64, LE);
                FloatVector v3 = FloatVector.fromMemorySegment(F8, x, xo + 96, LE);
                a0 = blockDot(w, r0 + bo, v0, v1, v2, v3).fma(FloatVector.broadcast(F8, half(w, r0 + bo)), a0);
                a1 = blockDot(w, r1 + bo, v0, v1, v2, v3).fma(FloatVector.broadcast(F8, half(w, r1 + bo)), a1);
            }
            y.setAtIndex(F32, r, sum(a0));
            y.setAtIndex(F32, r + 1, sum(a1));
        }
    }

    static void evenOddTwoRows(MemorySegment w, int out, int in, Act a, MemorySegment y) {
        MemorySegment x = a.q8();
        float[] xs = a.scales();
        int blocks = in / BLOCK;
        long rowBytes = (long) blocks * BLOCK_BYTES;
        for (int r = 0; r < out; r += 2) {
            long r0 = r * rowBytes, r1 = r0 + rowBytes;
            FloatVector a0 = FloatVector.zero(F8), a1 = a0;
            for (int b = 0; b < blocks; b++) {
                long bo = (long) b * BLOCK_BYTES;
                ShortVector xv = ByteVector.fromMemorySegment(B32, x, (long) b * BLOCK, LE).reinterpretAsShorts();
                ShortVector xo = xv.lanewise(VectorOperators.ASHR, 8);
                ShortVector xe = xv.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8);
                float d = xs[b];
                a0 = evenOddBlock(w, r0 + bo, xe, xo, d, a0);
                a1 = evenOddBlock(w, r1 + bo, xe, xo, d, a1);
            }
            y.setAtIndex(F32, r, sum(a0));
            y.setAtIndex(F32, r + 1, sum(a1));
        }
    }

    private static FloatVector int16Block(MemorySegment w, long block, MemorySegment x, long xo, float d) {
        ShortVector p = w16(w, block + 2).mul(x16(x, xo)).add(w16(w, block + 18).mul(x16(x, xo + 32)));
        return (FloatVector) shifts(p).convert(VectorOperators.I2F, 0);
    }

    static void int16OneRow(MemorySegment w, int out, int in, Act a, MemorySegment y) {
        MemorySegment x = a.q16();
        float[] xs = a.scales();
        int blocks = in / BLOCK;
        long rowBytes = (long) blocks * BLOCK_BYTES;
        for (int r = 0; r < out; r++) {
            long r0 = r * rowBytes;
            FloatVector a0 = FloatVector.zero(F8);
            for (int b = 0; b < blocks; b++) {
                long bo = r0 + (long) b * BLOCK_BYTES;
                a0 = int16Block(w, bo, x, (long) b * 64, 0).fma(FloatVector.broadcast(F8, half(w, bo) * xs[b]), a0);
            }
            y.setAtIndex(F32, r, sum(a0));
        }
    }

    /** Two blocks per iteration, two accumulators (blocks must be even). */
    static void int16OneRowUnrolled(MemorySegment w, int out, int in, Act a, MemorySegment y) {
        MemorySegment x = a.q16();
        float[] xs = a.scales();
        int blocks = in / BLOCK;
        long rowBytes = (long) blocks * BLOCK_BYTES;
        for (int r = 0; r < out; r++) {
            long r0 = r * rowBytes;
            FloatVector a0 = FloatVector.zero(F8), a1 = a0;
            for (int b = 0; b < blocks; b += 2) {
                long bo = r0 + (long) b * BLOCK_BYTES;
                a0 = int16Block(w, bo, x, (long) b * 64, 0).fma(FloatVector.broadcast(F8, half(w, bo) * xs[b]), a0);
                a1 = int16Block(w, bo + BLOCK_BYTES, x, (long) b * 64 + 64, 0).fma(FloatVector.broadcast(F8, half(w, bo + BLOCK_BYTES) * xs[b + 1]), a1);
            }
            y.setAtIndex(F32, r, sum(a0.add(a1)));
        }
    }
}
