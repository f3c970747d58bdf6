package dev.pagoda.catalog.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QuantizeTest {

    private static float[] randomRow(Random random, int n) {
        float[] x = new float[n];
        float scale = (float) Math.pow(10, random.nextInt(7) - 3);
        for (int i = 0; i < n; i++) {
            x[i] = switch (random.nextInt(10)) {
                case 0 -> 0f;
                case 1 -> Math.round(random.nextGaussian() * 8) * scale / 2; // many exact halves
                default -> (float) random.nextGaussian() * scale;
            };
        }
        if (random.nextInt(8) == 0) java.util.Arrays.fill(x, 0, 32, 0f); // an all-zero block
        return x;
    }

    private static byte[] bytes(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void q8_0BytesEqualGgmlReference() {
        assertBytesEqualReference(DType.Q8_0, GgmlReference::quantizeRowQ8_0);
    }

    @Test
    void q4_0BytesEqualGgmlReference() {
        assertBytesEqualReference(DType.Q4_0, GgmlReference::quantizeRowQ4_0);
    }

    private static void assertBytesEqualReference(DType type, java.util.function.BiFunction<float[], Integer, byte[]> reference) {
        for (int seed = 0; seed < 300; seed++) {
            Random random = new Random(seed);
            float[] x = randomRow(random, 32 * (1 + random.nextInt(6)));
            assertArrayEquals(reference.apply(x, x.length), bytes(Quantize.encode(type, x)), type + " seed " + seed);
        }
    }

    @Test
    void f16RoundsLikeGgml() {
        Random random = new Random(7);
        for (int i = 0; i < 200_000; i++) {
            float f = Float.intBitsToFloat(random.nextInt());
            if (Float.isNaN(f)) continue; // NaN payloads differ and do not matter
            short actual = Quantize.encode(DType.F16, new float[] {f}).get(ValueLayout.JAVA_SHORT_UNALIGNED, 0);
            assertEquals(GgmlReference.fp32ToFp16(f), actual & 0xFFFF, "value " + f + " bits " + Integer.toHexString(Float.floatToRawIntBits(f)));
        }
    }

    @Test
    void halvesRoundAwayFromZeroLikeRoundf() {
        float[] x = new float[32];
        x[0] = 127f;                                  // d = 1, so q = roundf(x)
        x[1] = 2.5f;
        x[2] = -2.5f;
        x[3] = 0.5f;
        x[4] = -0.5f;
        byte[] q = bytes(Quantize.encode(DType.Q8_0, x));
        assertEquals(0x3C00, (q[0] & 0xFF) | (q[1] & 0xFF) << 8); // f16 1.0
        assertArrayEquals(new byte[] {127, 3, -3, 1, -1}, java.util.Arrays.copyOfRange(q, 2, 7));

        float[] y = new float[32];
        y[0] = -8f;                                   // max by magnitude is negative: d = -8 / -8 = 1
        y[1] = 3f;                                    // (int8_t)(3 + 8.5) = 11
        y[2] = 8f;                                    // 16.5 -> 16 -> clamped to 15
        y[16] = -3.2f;                                // (int8_t)(5.3) = 5 into the high nibble of byte 0
        byte[] q4 = bytes(Quantize.encode(DType.Q4_0, y));
        assertEquals(0x3C00, (q4[0] & 0xFF) | (q4[1] & 0xFF) << 8);
        assertEquals((byte) (0 | 5 << 4), q4[2]);
        assertEquals((byte) (11 | 8 << 4), q4[3]);
        assertEquals((byte) (15 | 8 << 4), q4[4]);
    }

    @Test
    void roundTripErrorIsWithinTheStepSize() {
        for (int seed = 0; seed < 200; seed++) {
            Random random = new Random(seed);
            float[] x = randomRow(random, 32 * (1 + random.nextInt(4)));
            float[] y8 = roundTrip(DType.Q8_0, x);
            float[] y4 = roundTrip(DType.Q4_0, x);
            for (int b = 0; b < x.length / 32; b++) {
                float amax = 0;
                for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[b * 32 + j]));
                for (int j = 0; j < 32; j++) {
                    int i = b * 32 + j;
                    // Q8_0: half a step (amax/127) plus the f16 rounding of d (relative 2^-11, or
                    // 2^-25 absolute for subnormal d) over up to 127 steps
                    assertTrue(Math.abs(x[i] - y8[i]) <= amax / 127 * 0.57f + 127 * 0x1p-25f,
                            "Q8_0 seed " + seed + " i " + i + ": " + x[i] + " vs " + y8[i]);
                    // Q4_0: steps of amax/8; the side opposite the max clamps at 7 steps, losing one step
                    assertTrue(Math.abs(x[i] - y4[i]) <= amax / 8 * 1.01f + 8 * 0x1p-25f,
                            "Q4_0 seed " + seed + " i " + i + ": " + x[i] + " vs " + y4[i]);
                }
            }
        }
    }

    private static float[] roundTrip(DType type, float[] x) {
        float[] y = new float[x.length];
        Dequantize.row(type, Quantize.encode(type, x), 0, y, 0, x.length);
        return y;
    }
}
