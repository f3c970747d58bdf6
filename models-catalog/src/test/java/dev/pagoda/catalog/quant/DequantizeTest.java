package dev.pagoda.catalog.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

class DequantizeTest {

    private interface Reference {
        void decode(byte[] x, float[] y, int k);
    }

    private static float[] decode(DType type, byte[] bytes, int n) {
        float[] out = new float[n + 3];
        // decode at an offset on both sides to catch offset arithmetic mistakes
        byte[] shifted = new byte[bytes.length + 5];
        System.arraycopy(bytes, 0, shifted, 5, bytes.length);
        Dequantize.row(type, MemorySegment.ofArray(shifted), 5, out, 3, n);
        float[] result = new float[n];
        System.arraycopy(out, 3, result, 0, n);
        return result;
    }

    /** Random bytes everywhere (every bit pattern, scales included), several blocks per row. */
    private static void compareOnRandomBlocks(DType type, Reference reference, BiConsumer<Random, byte[]> scalePatcher) {
        for (int seed = 0; seed < 200; seed++) {
            Random random = new Random(seed);
            int blocks = 1 + random.nextInt(4);
            int n = blocks * type.blockElements;
            byte[] bytes = new byte[(int) type.bytesFor(n)];
            random.nextBytes(bytes);
            if (seed % 2 == 0) scalePatcher.accept(random, bytes);
            float[] expected = new float[n];
            reference.decode(bytes, expected, n);
            float[] actual = decode(type, bytes, n);
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]),
                        type + " seed " + seed + " element " + i + ": expected " + expected[i] + " got " + actual[i]);
            }
        }
    }

    /** A finite, moderate f16 (exponent 5..20) so the decoded values are ordinary numbers. */
    private static void putFiniteF16(Random random, byte[] bytes, int at) {
        int exp = 5 + random.nextInt(16);
        int h = (random.nextBoolean() ? 0x8000 : 0) | exp << 10 | random.nextInt(1024);
        bytes[at] = (byte) h;
        bytes[at + 1] = (byte) (h >> 8);
    }

    private static BiConsumer<Random, byte[]> scalesAt(int blockBytes, int... offsets) {
        return (random, bytes) -> {
            for (int b = 0; b < bytes.length; b += blockBytes) {
                for (int off : offsets) putFiniteF16(random, bytes, b + off);
            }
        };
    }

    @Test
    void q8_0MatchesGgmlReference() {
        compareOnRandomBlocks(DType.Q8_0, GgmlReference::dequantizeRowQ8_0, scalesAt(34, 0));
    }

    @Test
    void q4_0MatchesGgmlReference() {
        compareOnRandomBlocks(DType.Q4_0, GgmlReference::dequantizeRowQ4_0, scalesAt(18, 0));
    }

    @Test
    void q4_KMatchesGgmlReference() {
        compareOnRandomBlocks(DType.Q4_K, GgmlReference::dequantizeRowQ4_K, scalesAt(144, 0, 2));
    }

    @Test
    void q5_KMatchesGgmlReference() {
        compareOnRandomBlocks(DType.Q5_K, GgmlReference::dequantizeRowQ5_K, scalesAt(176, 0, 2));
    }

    @Test
    void q6_KMatchesGgmlReference() {
        compareOnRandomBlocks(DType.Q6_K, GgmlReference::dequantizeRowQ6_K, scalesAt(210, 208));
    }

    @Test
    void bf16AndF16AndE4m3MatchReferences() {
        compareOnRandomBlocks(DType.BF16, GgmlReference::dequantizeRowBf16, (r, b) -> {});
        compareOnRandomBlocks(DType.F8_E4M3, GgmlReference::dequantizeRowE4m3, (r, b) -> {});
        compareOnRandomBlocks(DType.F16, (x, y, k) -> {
            for (int i = 0; i < k; i++) y[i] = GgmlReference.fp16ToFp32(x[2 * i], x[2 * i + 1]);
        }, (r, b) -> {});
        compareOnRandomBlocks(DType.F32, (x, y, k) -> {
            for (int i = 0; i < k; i++) {
                y[i] = Float.intBitsToFloat((x[4 * i] & 0xFF) | (x[4 * i + 1] & 0xFF) << 8
                        | (x[4 * i + 2] & 0xFF) << 16 | (x[4 * i + 3] & 0xFF) << 24);
            }
        }, (r, b) -> {});
    }

    // ---- blocks worked out by hand from the layouts in ggml-common.h ----

    @Test
    void q8_0HandBlock() {
        byte[] block = new byte[34];
        block[0] = 0x00; block[1] = 0x38;             // d = 0.5
        block[2] = 1; block[3] = -2; block[4] = 127; block[5] = -128;
        float[] y = decode(DType.Q8_0, block, 32);
        assertArrayEquals(new float[] {0.5f, -1f, 63.5f, -64f, 0f}, java.util.Arrays.copyOf(y, 5));
    }

    @Test
    void q4_0HandBlock() {
        byte[] block = new byte[18];
        block[0] = 0x00; block[1] = 0x40;             // d = 2
        block[2] = 0x0F;                              // element 0: 15-8 = 7 -> 14; element 16: 0-8 -> -16
        block[3] = (byte) 0x98;                       // element 1: 8-8 -> 0; element 17: 9-8 -> 2
        float[] y = decode(DType.Q4_0, block, 32);
        assertEquals(14f, y[0]);
        assertEquals(-16f, y[16]);
        assertEquals(0f, y[1]);
        assertEquals(2f, y[17]);
        assertEquals(-16f, y[2]);                     // zero byte: both nibbles -8
    }

    @Test
    void q4_KHandBlock() {
        byte[] block = new byte[144];
        block[0] = 0x00; block[1] = 0x3C;             // d = 1
        block[2] = 0x00; block[3] = 0x38;             // dmin = 0.5
        block[4] = 3;                                 // scale j=0 (low 6 bits of scales[0])
        block[8] = 2;                                 // min j=0 (scales[4])
        block[12] = 0x21;                             // j=4: scale 1 | top bits of scales[0] (0); min 2
        block[16] = 0x05;                             // element 0 low nibble 5 -> 1*3*5 - 0.5*2 = 14
        block[16 + 64] = 0x07;                        // element 128 (j=4) nibble 7 -> 1*1*7 - 0.5*2 = 6
        float[] y = decode(DType.Q4_K, block, 256);
        assertEquals(14f, y[0]);
        assertEquals(6f, y[128]);
        assertEquals(-1f, y[1]);                      // nibble 0 -> -m1
    }

    @Test
    void q5_KHandBlock() {
        byte[] block = new byte[176];
        block[0] = 0x00; block[1] = 0x3C;             // d = 1, dmin = 0
        block[4] = 1;                                 // scale j=0 = 1
        block[5] = 2;                                 // scale j=1 = 2
        block[16] = 0b11;                             // qh[0]: bit0 -> element 0 +16, bit1 -> element 32 +16
        block[48] = 0x43;                             // ql[0]: low 3 (element 0), high 4 (element 32)
        float[] y = decode(DType.Q5_K, block, 256);
        assertEquals(19f, y[0]);                      // 1 * (3 + 16)
        assertEquals(40f, y[32]);                     // 2 * (4 + 16)
    }

    @Test
    void q6_KHandBlock() {
        byte[] block = new byte[210];
        block[0] = 0x21;                              // ql[0]: low 1 (element 0), high 2 (element 64)
        block[128] = 0b11;                            // qh[0] bits 0-1 -> element 0 high bits 3
        block[192] = 2;                               // scales[0]
        block[196] = -1;                              // scales[4]
        block[208] = 0x00; block[209] = 0x34;         // d = 0.25
        float[] y = decode(DType.Q6_K, block, 256);
        assertEquals(8.5f, y[0]);                     // 0.25 * 2 * ((1 | 3<<4) - 32 = 17)
        assertEquals(7.5f, y[64]);                    // 0.25 * -1 * (2 - 32)
    }

    @Test
    void e4m3AndBf16HandValues() {
        float[] y = decode(DType.F8_E4M3, new byte[] {0x38, 0x01, 0x7E, (byte) 0xFF, (byte) 0x80, (byte) 0xC0}, 6);
        assertEquals(1.0f, y[0]);
        assertEquals(0x1p-9f, y[1]);
        assertEquals(448f, y[2]);
        assertTrue(Float.isNaN(y[3]));
        assertEquals(-0.0f, y[4]);
        assertEquals(-2.0f, y[5]);
        float[] b = decode(DType.BF16, new byte[] {(byte) 0x80, 0x3F, 0x00, (byte) 0xC0}, 2);
        assertArrayEquals(new float[] {1.0f, -2.0f}, b);
    }

    @Test
    void rejectsPartialBlocksAndShortBuffers() {
        MemorySegment bytes = MemorySegment.ofArray(new byte[34]);
        assertThrows(IllegalArgumentException.class, () -> Dequantize.row(DType.Q8_0, bytes, 0, new float[16], 0, 16));
        assertThrows(IndexOutOfBoundsException.class, () -> Dequantize.row(DType.Q8_0, bytes, 0, new float[64], 0, 64));
    }
}
