package dev.pagoda.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.engine.cpu.bench.RandomWeights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every weight type against a naive reference: each stored row dequantized by
 * {@link GgmlReferenceDequant} (ggml's C reference logic), then a double-precision dot product.
 *
 * <p>Tolerance: the kernels accumulate in f32 with FMA, so f32 rounding costs at most about
 * K·2^-24 of Σ|w·x| for K inputs; the bound used is 2^-24 · (K + 64) · Σ|w·x| plus a tiny absolute
 * floor. Every type but Q8_0 keeps its activations in f32, so that is all. Q8_0 quantizes the
 * activations as llama.cpp does (see {@link Q8Activations}): each x in a block of 32 moves by at
 * most half a step, d/2 with d = max|x| / 127 of its block (plus 2^-16 of d for the rounding of
 * 1/d), so the dot product moves by at most Σ_i |w_i| · d_block(i) · (1/2 + 2^-16) more. A wrong
 * nibble, scale or offset moves a result by about Σ|w·x| / √K, orders of magnitude beyond both;
 * {@link Q8_0KernelTest} checks the Q8_0 kernel against its own integer algorithm to f32 rounding.
 */
class LinearKernelsTest {

    private static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int[] TOKEN_COUNTS = {1, 3, 5, 16};
    private static final int SEEDS = 3;

    /** (out, in) shapes per type: odd sizes where the type allows, to hit every tail path. */
    private record Case(DType type, int out, int in) {}

    private static final List<Case> CASES = List.of(
            new Case(DType.F32, 13, 37), new Case(DType.F32, 70, 203),
            new Case(DType.F16, 13, 37), new Case(DType.F16, 70, 203),
            new Case(DType.BF16, 13, 37), new Case(DType.BF16, 70, 203),
            new Case(DType.Q8_0, 7, 32), new Case(DType.Q8_0, 70, 160),
            new Case(DType.Q4_0, 7, 32), new Case(DType.Q4_0, 70, 160),
            new Case(DType.Q4_K, 7, 256), new Case(DType.Q4_K, 70, 512),
            new Case(DType.Q5_K, 7, 256), new Case(DType.Q5_K, 70, 512),
            new Case(DType.Q6_K, 7, 256), new Case(DType.Q6_K, 70, 512));

    private static Parallel single;
    private static Parallel multi;

    @BeforeAll
    static void pools() {
        single = new Parallel(1);
        multi = new Parallel(3);
    }

    @AfterAll
    static void closePools() {
        single.close();
        multi.close();
    }

    @Test
    void everyTypeMatchesTheReferenceDotProduct() {
        for (Case c : CASES) {
            for (int seed = 0; seed < SEEDS; seed++) {
                try (Arena arena = Arena.ofShared()) { // the workers read the segments
                    TensorData w = RandomWeights.linear(arena, c.type, c.out, c.in, 1000L * seed + c.out);
                    float[][] rows = referenceRows(w, c);
                    Linear linear = LinearKernels.create(w, multi, 16);
                    for (int tokens : TOKEN_COUNTS) {
                        MemorySegment x = RandomWeights.activations(arena, tokens, c.in, seed * 31L + tokens);
                        MemorySegment y = arena.allocate((long) tokens * c.out * Float.BYTES);
                        linear.forward(x, y, tokens);
                        for (int t = 0; t < tokens; t++) {
                            for (int o = 0; o < c.out; o++) {
                                double exact = 0, magnitude = 0, quantization = 0;
                                for (int i = 0; i < c.in; i++) {
                                    double p = (double) rows[o][i] * x.getAtIndex(F32_LE, (long) t * c.in + i);
                                    exact += p;
                                    magnitude += Math.abs(p);
                                    if (c.type == DType.Q8_0) quantization += Math.abs(rows[o][i]) * halfStep(x, (long) t * c.in, i);
                                }
                                double tolerance = Math.scalb(c.in + 64.0, -24) * magnitude + 1e-6 + quantization;
                                float got = y.getAtIndex(F32_LE, (long) t * c.out + o);
                                if (!(Math.abs(got - exact) <= tolerance)) {
                                    fail(c + " seed " + seed + " tokens " + tokens + " out[" + t + "," + o + "] = "
                                            + got + ", reference " + exact + " (tolerance " + tolerance + ")");
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** Largest change Q8_0 activation rounding makes to element i of the row at {@code row}: (1/2 + 2^-16) · max|x| / 127 of its block. */
    private static double halfStep(MemorySegment x, long row, int i) {
        int start = i / 32 * 32;
        double amax = 0;
        for (int j = start; j < start + 32; j++) amax = Math.max(amax, Math.abs(x.getAtIndex(F32_LE, row + j)));
        return (0.5 + 0x1p-16) * amax / 127;
    }

    private static float[][] referenceRows(TensorData w, Case c) {
        long rowBytes = c.type.bytesFor(c.in);
        float[][] rows = new float[c.out][];
        for (int o = 0; o < c.out; o++) {
            byte[] raw = w.data().asSlice(o * rowBytes, rowBytes).toArray(ValueLayout.JAVA_BYTE);
            rows[o] = GgmlReferenceDequant.row(c.type, raw, c.in);
        }
        return rows;
    }

    @Test
    void multiThreadedEqualsSingleThreadedBitForBit() {
        for (Case c : CASES) {
            for (int seed = 0; seed < SEEDS; seed++) {
                try (Arena arena = Arena.ofShared()) { // the workers read the segments
                    TensorData w = RandomWeights.linear(arena, c.type, c.out, c.in, 77L * seed + c.in);
                    Linear one = LinearKernels.create(w, single, 16);
                    Linear many = LinearKernels.create(w, multi, 16);
                    for (int tokens : TOKEN_COUNTS) {
                        MemorySegment x = RandomWeights.activations(arena, tokens, c.in, seed + 5L * tokens);
                        MemorySegment a = arena.allocate((long) tokens * c.out * Float.BYTES);
                        MemorySegment b = arena.allocate((long) tokens * c.out * Float.BYTES);
                        one.forward(x, a, tokens);
                        many.forward(x, b, tokens);
                        assertArrayEquals(a.toArray(ValueLayout.JAVA_INT), b.toArray(ValueLayout.JAVA_INT),
                                c + " seed " + seed + " tokens " + tokens);
                    }
                }
            }
        }
    }

    /**
     * The invariant the engine's batch invariance rests on (a greedy output alone equals the same
     * request among 64 others): a token's result does not depend on which tokens share the call.
     * Each call here mixes the batched kernels, their partial tiles and the one-token kernel;
     * shapes and token counts are seeded random, rows odd so that every tile tail is hit.
     */
    @Test
    void tokensInABatchEqualTheSameTokensOneAtATimeBitForBit() {
        DType[] types = {DType.F32, DType.F16, DType.BF16, DType.Q8_0, DType.Q4_0, DType.Q4_K, DType.Q5_K, DType.Q6_K};
        for (int seed = 0; seed < 48; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            DType type = types[seed % types.length];
            int block = type.blockElements;
            int out = 1 + 2 * random.nextInt(40);
            int in = block == 1 ? 1 + random.nextInt(300) : block * (1 + random.nextInt(block >= 256 ? 2 : 9));
            int tokens = 1 + random.nextInt(40);
            String what = "seed " + seed + ": " + type + " " + out + "x" + in + ", " + tokens + " tokens";
            try (Arena arena = Arena.ofShared()) { // the workers read the segments
                Linear linear = LinearKernels.create(RandomWeights.linear(arena, type, out, in, seed), multi, tokens);
                MemorySegment x = RandomWeights.activations(arena, tokens, in, 1000L + seed);
                long rowBytes = (long) out * Float.BYTES;
                MemorySegment all = arena.allocate(tokens * rowBytes);
                linear.forward(x, all, tokens);
                MemorySegment alone = arena.allocate(rowBytes);
                for (int t = 0; t < tokens; t++) {
                    linear.forward(x.asSlice((long) t * in * Float.BYTES), alone, 1);
                    assertArrayEquals(alone.toArray(ValueLayout.JAVA_INT),
                            all.asSlice(t * rowBytes, rowBytes).toArray(ValueLayout.JAVA_INT), what + ", token " + t);
                }
            }
        }
    }

    @Test
    void halfPrecisionConversionMatchesTheJdkForEveryBitPattern() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment halves = arena.allocate(65536L * 2);
            for (int h = 0; h < 65536; h++) halves.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, h, (short) h);
            for (int h = 0; h < 65536; h += Lanes.N) {
                float[] got = Lanes.f16(halves, 2L * h).toArray();
                for (int j = 0; j < Lanes.N; j++) {
                    float want = Float.float16ToFloat((short) (h + j));
                    boolean same = Float.isNaN(want) ? Float.isNaN(got[j])
                            : Float.floatToRawIntBits(want) == Float.floatToRawIntBits(got[j]);
                    assertTrue(same, "f16 0x" + Integer.toHexString(h + j) + ": " + got[j] + " vs " + want);
                }
            }
        }
    }

    @Test
    void badWeightsAndCallsAreRejectedWithTheNameAndTheProblem() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bytes = arena.allocate(4096);
            assertMessage("rank 2", () -> LinearKernels.create(
                    new TensorData("w.rank1", DType.F32, new long[] {64}, bytes.asSlice(0, 256)), single, 1));
            assertMessage("expected 4096", () -> LinearKernels.create(
                    new TensorData("w.short", DType.F32, new long[] {32, 32}, bytes.asSlice(0, 1000)), single, 1));
            assertMessage("multiple of 256", () -> LinearKernels.create(
                    new TensorData("w.q4k", DType.Q4_K, new long[] {2, 100}, bytes.asSlice(0, 10)), single, 1));
            assertMessage("supported are", () -> LinearKernels.create(
                    new TensorData("w.i8", DType.I8, new long[] {8, 8}, bytes.asSlice(0, 64)), single, 1));
            assertMessage("maxTokens", () -> LinearKernels.create(
                    new TensorData("w.f32", DType.F32, new long[] {8, 8}, bytes.asSlice(0, 256)), single, 0));

            Linear linear = LinearKernels.create(
                    new TensorData("w.ok", DType.F32, new long[] {8, 8}, bytes.asSlice(0, 256)), single, 2);
            MemorySegment x = arena.allocate(64), y = arena.allocate(64);
            IllegalArgumentException tooMany =
                    assertThrows(IllegalArgumentException.class, () -> linear.forward(x, y, 3));
            assertTrue(tooMany.getMessage().contains("maxTokens"), tooMany.getMessage());
            IllegalArgumentException small =
                    assertThrows(IllegalArgumentException.class, () -> linear.forward(x.asSlice(0, 16), y, 1));
            assertTrue(small.getMessage().startsWith("in segment"), small.getMessage());
            assertEquals(8, linear.inFeatures());
            assertEquals(8, linear.outFeatures());
        }
    }

    private static void assertMessage(String fragment, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(fragment) && e.getMessage().contains("w."),
                "message should name the tensor and say '" + fragment + "': " + e.getMessage());
    }
}
