package dev.pagoda.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.engine.cpu.bench.RandomWeights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Q8_0 kernel against a naive scalar implementation of the same algorithm, written here
 * from llama.cpp's description ({@code quantize_row_q8_0} then {@code ggml_vec_dot_q8_0_q8_0}):
 * activations quantized per block of 32 to {@code rint(x / d)} with {@code d = max|x| / 127};
 * per block the exact integer dot product of weight and activation quants, times the f32 product
 * of the two scales; summed over blocks. The integer parts are exact in both, so the only
 * difference allowed is f32 accumulation (the kernel keeps 8 partial sums per row, so they may
 * cancel): 2^-24 · (blocks + 8) · Σ_b Σ_i |w_i · q_i| · |scale_b|.
 */
class Q8_0KernelTest {

    private static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int SEEDS = 8;

    private static Parallel pool;

    @BeforeAll
    static void pool() {
        pool = new Parallel(3);
    }

    @AfterAll
    static void closePool() {
        pool.close();
    }

    /** The naive quantizer: d and rint(x · (1/d)) per block, in f32 as llama.cpp computes them. */
    private record Quantized(int[] q, float[] d) {}

    private static Quantized quantizeNaive(MemorySegment x, long row, int in) {
        int[] q = new int[in];
        float[] d = new float[in / 32];
        for (int b = 0; b < in / 32; b++) {
            float amax = 0;
            for (int i = b * 32; i < b * 32 + 32; i++) amax = Math.max(amax, Math.abs(x.getAtIndex(F32_LE, row + i)));
            d[b] = amax / 127;
            float id = d[b] != 0 ? 1 / d[b] : 0;
            for (int i = b * 32; i < b * 32 + 32; i++) q[i] = (int) Math.rint(x.getAtIndex(F32_LE, row + i) * id);
        }
        return new Quantized(q, d);
    }

    @Test
    void activationsAreQuantizedExactlyAsTheNaiveQuantizer() {
        try (Arena arena = Arena.ofConfined()) {
            for (int seed = 0; seed < SEEDS; seed++) {
                int in = 32 * (1 + seed % 5), tokens = 1 + seed;
                MemorySegment x = RandomWeights.activations(arena, tokens, in, seed);
                // a zero block (d = 0), and halves that round to even: rint(2.5) = 2, rint(-3.5) = -4
                for (int i = 0; i < 32; i++) x.setAtIndex(F32_LE, i, 0f);
                if (tokens > 1) {
                    x.setAtIndex(F32_LE, in, 127f);
                    x.setAtIndex(F32_LE, in + 1, 2.5f);
                    x.setAtIndex(F32_LE, in + 2, -3.5f);
                    for (int i = 3; i < 32; i++) x.setAtIndex(F32_LE, in + i, 0.5f);
                }
                Q8Activations acts = new Q8Activations(in);
                acts.quantize(x, 0, tokens);
                for (int t = 0; t < tokens; t++) {
                    Quantized want = quantizeNaive(x, (long) t * in, in);
                    for (int i = 0; i < in; i++) {
                        assertEquals(want.q()[i], acts.quants.get(I16_LE, acts.quantOffset(t) + 2L * i),
                                "seed " + seed + " token " + t + " element " + i);
                    }
                    for (int b = 0; b < in / 32; b++) {
                        assertEquals(want.d()[b], acts.scales[acts.scaleIndex(t) + b],
                                "seed " + seed + " token " + t + " block " + b);
                    }
                }
                if (tokens > 1) {
                    long row = acts.quantOffset(1);
                    assertEquals(2, acts.quants.get(I16_LE, row + 2), "rint(2.5) rounds half to even");
                    assertEquals(-4, acts.quants.get(I16_LE, row + 4), "rint(-3.5) rounds half to even");
                    assertEquals(0, acts.quants.get(I16_LE, row + 6), "rint(0.5) rounds half to even");
                }
            }
        }
    }

    @Test
    void kernelEqualsTheNaiveIntegerAlgorithmToF32Rounding() {
        for (int seed = 0; seed < SEEDS; seed++) {
            int out = 1 + seed * 9, in = 32 * (1 + seed % 6);
            try (Arena arena = Arena.ofShared()) {
                TensorData w = RandomWeights.linear(arena, DType.Q8_0, out, in, seed);
                for (int tokens : new int[] {1, 2, 3, 4, 7, 16}) {
                    MemorySegment x = RandomWeights.activations(arena, tokens, in, 100L * seed + tokens);
                    check(w, x, tokens, "seed " + seed + " tokens " + tokens, arena);
                }
            }
        }
    }

    /**
     * Weights of -128 against activations quantized to ±127 make the largest int16 products;
     * the kernel adds two of them in int16 (32512 < 32767) before widening.
     */
    @Test
    void extremeQuantsDoNotOverflow() {
        int out = 4, in = 96, tokens = 3;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment data = arena.allocate(DType.Q8_0.bytesFor(in) * out);
            for (long block = 0; block < data.byteSize(); block += 34) {
                data.set(I16_LE, block, Float.floatToFloat16(1f));
                for (int i = 0; i < 32; i++) data.set(ValueLayout.JAVA_BYTE, block + 2 + i, (byte) -128);
            }
            TensorData w = new TensorData("w.extreme", DType.Q8_0, new long[] {out, in}, data);
            MemorySegment x = arena.allocate((long) tokens * in * Float.BYTES);
            for (int i = 0; i < tokens * in; i++) x.setAtIndex(F32_LE, i, i % in < 32 ? -1f : 1f);
            MemorySegment y = check(w, x, tokens, "extreme", arena);
            // by hand: a block of 32 products (-128)·(∓127) = ±16256 each, times 1 · (1/127)
            float d = 1f / 127;
            double expected = 32 * 16256 * d - 2 * 32 * 16256 * d;
            assertEquals(expected, y.getAtIndex(F32_LE, 0), 1e-3 * Math.abs(expected));
        }
    }

    /** More tokens than one activation chunk: chunked results equal token-by-token results bit for bit. */
    @Test
    void manyTokensAreChunkedWithoutChangingAnyResult() {
        int out = 37, in = 64, tokens = Q8Activations.CHUNK * 2 + 5;
        try (Arena arena = Arena.ofShared()) {
            TensorData w = RandomWeights.linear(arena, DType.Q8_0, out, in, 5);
            MemorySegment x = RandomWeights.activations(arena, tokens, in, 6);
            Linear linear = LinearKernels.create(w, pool, tokens);
            MemorySegment all = arena.allocate((long) tokens * out * Float.BYTES);
            linear.forward(x, all, tokens);
            MemorySegment one = arena.allocate((long) out * Float.BYTES);
            for (int t = 0; t < tokens; t++) {
                linear.forward(x.asSlice((long) t * in * Float.BYTES), one, 1);
                assertArrayEquals(one.toArray(ValueLayout.JAVA_INT),
                        all.asSlice((long) t * out * Float.BYTES, (long) out * Float.BYTES).toArray(ValueLayout.JAVA_INT),
                        "token " + t);
            }
        }
    }

    private static MemorySegment check(TensorData w, MemorySegment x, int tokens, String what, Arena arena) {
        int out = (int) w.dim(0), in = (int) w.dim(1), blocks = in / 32;
        MemorySegment y = arena.allocate((long) tokens * out * Float.BYTES);
        LinearKernels.create(w, pool, tokens).forward(x, y, tokens);
        MemorySegment data = w.data();
        for (int t = 0; t < tokens; t++) {
            Quantized a = quantizeNaive(x, (long) t * in, in);
            for (int o = 0; o < out; o++) {
                double sum = 0, magnitude = 0;
                for (int b = 0; b < blocks; b++) {
                    long block = (o * (long) blocks + b) * 34;
                    long isum = 0, iabs = 0;
                    for (int i = 0; i < 32; i++) {
                        long p = (long) data.get(ValueLayout.JAVA_BYTE, block + 2 + i) * a.q()[b * 32 + i];
                        isum += p;
                        iabs += Math.abs(p);
                    }
                    float scale = Float.float16ToFloat(data.get(I16_LE, block)) * a.d()[b];
                    sum += isum * (double) scale;
                    magnitude += iabs * Math.abs((double) scale);
                }
                double tolerance = Math.scalb(blocks + 8.0, -24) * magnitude + 1e-30;
                float got = y.getAtIndex(F32_LE, (long) t * out + o);
                if (!(Math.abs(got - sum) <= tolerance)) {
                    fail(what + " out[" + t + "," + o + "] = " + got + ", naive " + sum + " (tolerance " + tolerance + ")");
                }
            }
        }
        return y;
    }
}
