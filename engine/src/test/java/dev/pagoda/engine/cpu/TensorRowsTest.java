package dev.pagoda.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.engine.testing.F32;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Row decoding of every supported dtype, checked on blocks encoded by hand in the test. */
class TensorRowsTest {

    private static TensorData tensor(Arena arena, DType dtype, byte[] bytes, long... shape) {
        MemorySegment data = arena.allocate(bytes.length);
        MemorySegment.copy(bytes, 0, data, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return new TensorData("t", dtype, shape, data);
    }

    private static float[] row(TensorData t, int row) {
        try (Arena arena = Arena.ofConfined()) {
            int n = TensorRows.rowLength(t);
            MemorySegment out = F32.zeros(arena, n);
            TensorRows.decodeRow(t, row, out, 0);
            return F32.read(out, n);
        }
    }

    @Test
    void halfPrecisionBitPatterns() {
        try (Arena arena = Arena.ofConfined()) {
            // f16: 0x3C00 = 1, 0xC000 = -2, 0x3555 ≈ 0.333; bf16: 0x3F80 = 1, 0xC040 = -3, 0x4049 ≈ 3.140625
            TensorData f16 = tensor(arena, DType.F16, new byte[] {0x00, 0x3C, 0x00, (byte) 0xC0, 0x55, 0x35}, 1, 3);
            assertArrayEquals(new float[] {1f, -2f, 0.33325195f}, row(f16, 0));
            TensorData bf16 = tensor(arena, DType.BF16, new byte[] {(byte) 0x80, 0x3F, 0x40, (byte) 0xC0, 0x49, 0x40}, 3, 1);
            assertArrayEquals(new float[] {-3f}, row(bf16, 1));
            assertArrayEquals(new float[] {3.140625f}, row(bf16, 2));
        }
    }

    @Test
    void q8_0IsScaleTimesSignedBytes() {
        byte[] bytes = new byte[2 * 34];
        float[] expected = new float[64];
        for (int b = 0; b < 2; b++) {
            // scale 0.5 (f16 0x3800) then 2.0 (f16 0x4000)
            bytes[b * 34] = 0;
            bytes[b * 34 + 1] = (byte) (b == 0 ? 0x38 : 0x40);
            for (int i = 0; i < 32; i++) {
                byte q = (byte) (i * 9 - 128 + b);
                bytes[b * 34 + 2 + i] = q;
                expected[b * 32 + i] = (b == 0 ? 0.5f : 2f) * q;
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            assertArrayEquals(expected, row(tensor(arena, DType.Q8_0, bytes, 1, 64), 0));
        }
    }

    @Test
    void q4_0KeepsTheFirstHalfInLowNibblesOffsetByEight() {
        byte[] bytes = new byte[2 * 18];
        float[] expected = new float[32];
        bytes[18] = 0x00;
        bytes[19] = 0x34; // row 1 scale 0.25
        for (int j = 0; j < 16; j++) {
            int lo = j, hi = 15 - j;
            bytes[18 + 2 + j] = (byte) (lo | hi << 4);
            expected[j] = 0.25f * (lo - 8);
            expected[j + 16] = 0.25f * (hi - 8);
        }
        try (Arena arena = Arena.ofConfined()) {
            assertArrayEquals(expected, row(tensor(arena, DType.Q4_0, bytes, 2, 32), 1));
        }
    }

    @Test
    void embeddingGathersRowsAndRejectsUnknownTokens() {
        try (Arena arena = Arena.ofShared(); Parallel parallel = new Parallel(2)) {
            float[] table = {0, 1, 10, 11, 20, 21};
            MemorySegment data = F32.segment(arena, table);
            Embedding embedding = new Embedding(new TensorData("model.embed_tokens.weight", DType.F32,
                    new long[] {3, 2}, data), parallel);
            MemorySegment out = F32.zeros(arena, 6);
            embedding.gather(new int[] {2, 0, 2}, 3, out);
            assertArrayEquals(new float[] {20, 21, 0, 1, 20, 21}, F32.read(out, 6));
            String message = assertThrows(IllegalArgumentException.class,
                    () -> embedding.gather(new int[] {3}, 1, out)).getMessage();
            assertTrue(message.contains("token id 3") && message.contains("[0, 3)"), message);
            assertThrows(IllegalArgumentException.class, () -> new Embedding(new TensorData("e", DType.Q4_K,
                    new long[] {1, 256}, arena.allocate(144)), parallel));
        }
    }
}
