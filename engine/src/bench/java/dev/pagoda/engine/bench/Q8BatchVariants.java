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
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.util.Locale;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * What a Q8_0 weight times 16 tokens costs per (row, token, 32-element block), single-threaded,
 * against the batch-1 kernel's cost per (row, block): the ratio bounds how much batching can gain
 * when batch 1 is compute-bound, as Q8_0 is here.
 *
 * <p>Besides the production kernels (through {@link LinearKernels}) it times the design that
 * converts weight rows and activation quants to integer-valued floats and multiplies them with
 * FMAs, which gives the batch-1 kernel's results bit for bit: a block of 32 is stored as four
 * vectors of 8 in the order of that kernel's int32 lanes (lane k adds elements 2k, 2k+1, 16+2k,
 * 17+2k), so a multiply and three FMAs give each lane's exact integer sum (four products of at
 * most 128 · 127), then the same FMA by the product of the block scales. Variants:
 * <ul>
 *   <li>{@code float 1x4}: one converted row against four tokens, the converted weights kept (the
 *       kernel alone; its floor is five FMAs per block and token);
 *   <li>{@code float 1x4, no scale}: the same without the scale FMA (what the four product FMAs
 *       cost);
 *   <li>{@code float 1x4 + convert}: the rows converted on every call, as a kernel must that reads
 *       the weights in place.
 * </ul>
 *
 * <p>What it showed on the 2-core AVX2 box (Zen 3, shared, thread CPU time, ranges over runs):
 * batch-1 2.8-4.3 ns per (row, block); production at 16 tokens 2.3-4.2 ns per (row, token, block)
 * (b16/b1 1.1-1.35); the float kernel 1.8-2.9 with the weights already converted, 2.0-3.0 with
 * their conversion (b16/b1 1.4-2.0 for 896-element rows, about 1.0 for 4864-element rows, whose
 * four activation rows no longer fit L1); without its scale FMA it saves only 0.1-0.4 ns more.
 * Every float result equalled production's bit for bit. Batching cannot gain 4x on Q8_0 here: the
 * batch-1 kernel is compute-bound at about 13 vector operations per block, and the cheapest exact
 * batched form still needs 5 FMAs per block and token (32 products at 8 lanes, plus the scale).
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp ... dev.pagoda.engine.bench.Q8BatchVariants [seconds]}
 */
public final class Q8BatchVariants {

    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Short> S8 = ShortVector.SPECIES_128;
    private static final VectorSpecies<Integer> I8 = IntVector.SPECIES_256;
    private static final int BLOCK = 32, BLOCK_BYTES = 34, TOKENS = 16;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Q8BatchVariants() {}

    /**
     * Operands of the float variants.
     *
     * @param weights  (out, in) weight quants as floats, blocks in lane order
     * @param acts     (TOKENS, in) activation quants as floats, blocks in lane order
     * @param products (out, blocks, TOKENS) weight scale times activation scale
     * @param lanes    (4, 8) accumulators on their way to lane sums
     */
    private record Floats(float[] weights, float[] acts, float[] products, float[] lanes, int out, int in) {
        int blocks() {
            return in / BLOCK;
        }
    }

    private interface Variant {
        void run(Floats f, MemorySegment w, float[] y);
    }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1;
        try (Arena arena = Arena.ofShared(); Parallel one = new Parallel(1)) {
            // a silent round first: on a loaded machine C2 takes seconds to compile every kernel
            compare(arena, one, 128, 896, seconds, false);
            compare(arena, one, 128, 896, seconds, true);
            compare(arena, one, 4864, 896, seconds, true);
            compare(arena, one, 896, 4864, seconds, true);
        }
    }

    private static void compare(Arena arena, Parallel one, int out, int in, double seconds, boolean print) {
        TensorData weight = RandomWeights.linear(arena, DType.Q8_0, out, in, 1);
        MemorySegment w = MemorySegment.ofAddress(weight.data().address()).reinterpret(weight.data().byteSize());
        MemorySegment x = RandomWeights.activations(arena, TOKENS, in, 2);
        MemorySegment y = arena.allocate((long) TOKENS * out * Float.BYTES, 64);
        Linear production = LinearKernels.create(weight, one, TOKENS);
        Floats f = floats(w, x, out, in);
        float[] fy = new float[TOKENS * out];
        long rowBlocks = (long) out * (in / BLOCK);
        double b1 = time(seconds, () -> production.forward(x, y, 1)) / rowBlocks;
        double b16 = time(seconds, () -> production.forward(x, y, TOKENS)) / rowBlocks;
        Variant[] variants = {Q8BatchVariants::float1x4, Q8BatchVariants::float1x4NoScale, Q8BatchVariants::convertThenFloat1x4};
        double[] ns = new double[variants.length];
        for (int v = 0; v < variants.length; v++) {
            Variant variant = variants[v];
            ns[v] = time(seconds, () -> variant.run(f, w, fy)) / rowBlocks;
        }
        float[] floatResult = new float[TOKENS * out];
        float1x4(f, w, floatResult);
        double b16Again = time(seconds, () -> production.forward(x, y, TOKENS)) / rowBlocks;
        if (!print) return;
        report("production, 1 token", out, in, b1, b1, 1);
        report("production, 16 tokens", out, in, b16, b1, TOKENS);
        String[] names = {"float 1x4", "float 1x4, no scale", "float 1x4 + convert"};
        for (int v = 0; v < variants.length; v++) report(names[v], out, in, ns[v], b1, TOKENS);
        report("production, 16 tokens", out, in, b16Again, b1, TOKENS);
        System.out.printf(Locale.ROOT, "  float 1x4 equals production bit for bit: %b%n", sameBits(floatResult, y));
    }

    /** Best thread-CPU nanoseconds per call over five windows, after a warm-up that lets the JIT compile. */
    private static double time(double seconds, Runnable call) {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < deadline) call.run();
        double best = Double.MAX_VALUE;
        for (int window = 0; window < 5; window++) {
            long calls = 0, cpu0 = THREADS.getCurrentThreadCpuTime(), t0 = System.nanoTime();
            do {
                call.run();
                calls++;
            } while (System.nanoTime() - t0 < seconds * 0.2e9 || calls < 3);
            best = Math.min(best, (double) (THREADS.getCurrentThreadCpuTime() - cpu0) / calls);
        }
        return best;
    }

    private static void report(String name, int out, int in, double nsPerRowBlock, double b1, int tokens) {
        double perToken = nsPerRowBlock / tokens;
        System.out.printf(Locale.ROOT, "%-24s %5dx%-4d %6.2f ns per (row, token, block)   b%d/b1 throughput %.2f%n",
                name, out, in, perToken, tokens, b1 / perToken);
    }

    private static boolean sameBits(float[] a, MemorySegment y) {
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(y.getAtIndex(F32, i))) return false;
        }
        return true;
    }

    /** The operands, quantized as {@code Q8Activations} does ({@code rint(x / d)}, {@code d = max|x| / 127}). */
    private static Floats floats(MemorySegment w, MemorySegment x, int out, int in) {
        int blocks = in / BLOCK;
        float[] acts = new float[TOKENS * in], scales = new float[TOKENS * blocks];
        for (int t = 0; t < TOKENS; t++) {
            for (int b = 0; b < blocks; b++) {
                float amax = 0;
                for (int i = 0; i < BLOCK; i++) amax = Math.max(amax, Math.abs(x.getAtIndex(F32, (long) t * in + b * BLOCK + i)));
                float d = amax / 127, id = d != 0 ? 1 / d : 0;
                scales[t * blocks + b] = d;
                for (int i = 0; i < BLOCK; i++) {
                    acts[t * in + b * BLOCK + laneOrder(i)] = (float) Math.rint(x.getAtIndex(F32, (long) t * in + b * BLOCK + i) * id);
                }
            }
        }
        float[] products = new float[out * blocks * TOKENS];
        for (int r = 0; r < out; r++) {
            for (int b = 0; b < blocks; b++) {
                float dw = Float.float16ToFloat(w.get(I16, (long) r * blocks * BLOCK_BYTES + (long) b * BLOCK_BYTES));
                for (int t = 0; t < TOKENS; t++) products[(r * blocks + b) * TOKENS + t] = dw * scales[t * blocks + b];
            }
        }
        float[] weights = new float[out * in];
        convert(w, 0, out, in, weights);
        return new Floats(weights, acts, products, new float[32], out, in);
    }

    /** Where element i of a block goes: evens of the first half, its odds, evens of the second half, its odds. */
    private static int laneOrder(int i) {
        return (i & 16) + ((i & 1) << 3) + ((i & 15) >> 1);
    }

    /** Rows {@code [row, row + rows)} of the Q8_0 weight into {@code to} as floats in lane order. */
    private static void convert(MemorySegment w, int row, int rows, int in, float[] to) {
        int blocks = in / BLOCK;
        for (int r = 0; r < rows; r++) {
            long src = (long) (row + r) * blocks * BLOCK_BYTES;
            for (int b = 0; b < blocks; b++) {
                long q = src + (long) b * BLOCK_BYTES + 2;
                int dst = r * in + b * BLOCK;
                for (int half = 0; half < 2; half++) {
                    // 8 shorts, each two quants: the low byte an even element, the high one the next odd
                    IntVector pairs = (IntVector) ShortVector.fromMemorySegment(S8, w, q + 16 * half, LE)
                            .convertShape(VectorOperators.S2I, I8, 0);
                    ((FloatVector) pairs.lanewise(VectorOperators.LSHL, 24).lanewise(VectorOperators.ASHR, 24)
                            .convert(VectorOperators.I2F, 0)).intoArray(to, dst + 16 * half);
                    ((FloatVector) pairs.lanewise(VectorOperators.ASHR, 8).convert(VectorOperators.I2F, 0))
                            .intoArray(to, dst + 16 * half + 8);
                }
            }
        }
    }

    /** Weights converted 4 rows at a time into a small buffer (as a production kernel would), then {@link #float1x4}. */
    static void convertThenFloat1x4(Floats f, MemorySegment w, float[] y) {
        int group = 4;
        float[] rows = new float[group * f.in()];
        Floats part = new Floats(rows, f.acts(), f.products(), f.lanes(), f.out(), f.in());
        for (int r = 0; r < f.out(); r += group) {
            convert(w, r, group, f.in(), rows);
            for (int i = 0; i < group; i++) {
                for (int t = 0; t < TOKENS; t += 4) rowTimes4(part, i, r + i, t, y, true);
            }
        }
    }

    static void float1x4(Floats f, MemorySegment w, float[] y) {
        for (int r = 0; r < f.out(); r++) {
            for (int t = 0; t < TOKENS; t += 4) rowTimes4(f, r, r, t, y, true);
        }
    }

    static void float1x4NoScale(Floats f, MemorySegment w, float[] y) {
        for (int r = 0; r < f.out(); r++) {
            for (int t = 0; t < TOKENS; t += 4) rowTimes4(f, r, r, t, y, false);
        }
    }

    /**
     * Row {@code row} (converted, at row {@code i} of {@code f.weights}) times tokens {@code t..t+3}
     * into {@code y[(t + j) * out + row]}. Written out rather than through helpers taking vectors:
     * C2 does not inline a helper it compiled on its own first, and then boxes the vectors.
     */
    private static void rowTimes4(Floats f, int i, int row, int t, float[] y, boolean scale) {
        float[] w = f.weights(), x = f.acts(), p = f.products();
        int in = f.in(), blocks = f.blocks(), wa = i * in;
        int x0 = t * in, x1 = x0 + in, x2 = x1 + in, x3 = x2 + in, pa = row * blocks * TOKENS + t;
        FloatVector a0 = FloatVector.zero(F8), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < blocks; b++) {
            int e = b * BLOCK, q = pa + b * TOKENS;
            FloatVector w0 = FloatVector.fromArray(F8, w, wa + e), w1 = FloatVector.fromArray(F8, w, wa + e + 8);
            FloatVector w2 = FloatVector.fromArray(F8, w, wa + e + 16), w3 = FloatVector.fromArray(F8, w, wa + e + 24);
            FloatVector s0 = w3.fma(FloatVector.fromArray(F8, x, x0 + e + 24), w2.fma(FloatVector.fromArray(F8, x, x0 + e + 16),
                    w1.fma(FloatVector.fromArray(F8, x, x0 + e + 8), w0.mul(FloatVector.fromArray(F8, x, x0 + e)))));
            FloatVector s1 = w3.fma(FloatVector.fromArray(F8, x, x1 + e + 24), w2.fma(FloatVector.fromArray(F8, x, x1 + e + 16),
                    w1.fma(FloatVector.fromArray(F8, x, x1 + e + 8), w0.mul(FloatVector.fromArray(F8, x, x1 + e)))));
            FloatVector s2 = w3.fma(FloatVector.fromArray(F8, x, x2 + e + 24), w2.fma(FloatVector.fromArray(F8, x, x2 + e + 16),
                    w1.fma(FloatVector.fromArray(F8, x, x2 + e + 8), w0.mul(FloatVector.fromArray(F8, x, x2 + e)))));
            FloatVector s3 = w3.fma(FloatVector.fromArray(F8, x, x3 + e + 24), w2.fma(FloatVector.fromArray(F8, x, x3 + e + 16),
                    w1.fma(FloatVector.fromArray(F8, x, x3 + e + 8), w0.mul(FloatVector.fromArray(F8, x, x3 + e)))));
            if (scale) {
                a0 = s0.fma(FloatVector.broadcast(F8, p[q]), a0);
                a1 = s1.fma(FloatVector.broadcast(F8, p[q + 1]), a1);
                a2 = s2.fma(FloatVector.broadcast(F8, p[q + 2]), a2);
                a3 = s3.fma(FloatVector.broadcast(F8, p[q + 3]), a3);
            } else {
                a0 = a0.add(s0);
                a1 = a1.add(s1);
                a2 = a2.add(s2);
                a3 = a3.add(s3);
            }
        }
        // the production kernels' lane sum (from 0, lane by lane), through memory: a helper taking
        // the vector would box it
        float[] lanes = f.lanes();
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, 8);
        a2.intoArray(lanes, 16);
        a3.intoArray(lanes, 24);
        for (int j = 0; j < 4; j++) {
            float sum = 0;
            for (int k = 8 * j; k < 8 * j + 8; k++) sum += lanes[k];
            y[(t + j) * f.out() + row] = sum;
        }
    }
}
