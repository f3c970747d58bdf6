package dev.pagoda.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.engine.testing.F32;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The paged cache's layout, block copy and the reshape-and-cache writer. */
class KvCacheTest {

    @Test
    void bytesPerBlockIsKAndVOfEveryLayerInF32() {
        // Llama-3-8B shape: 32 layers × 8 KV heads × 128 dims × 2 tensors × 4 bytes = 256 KiB per token
        KvCacheShape shape = new KvCacheShape(32, 10, 16, 8, 128);
        assertEquals(16L * 256 * 1024, shape.bytesPerBlock());
        assertEquals(10L * 16 * 256 * 1024, shape.totalBytes());
        assertThrows(IllegalArgumentException.class, () -> new KvCacheShape(1, 0, 16, 1, 8));
    }

    @Test
    void writerPutsEachTokenInItsSlotAndSkipsPadding() {
        KvCacheShape shape = new KvCacheShape(2, 3, 4, 2, 3); // 12 slots of 6 floats
        Random random = new Random(1);
        float[] k = F32.random(random, 3 * 6, 1), v = F32.random(random, 3 * 6, 1);
        int[] slots = {7, -1, 0};
        try (CpuKvCache cache = new CpuKvCache(shape); Arena arena = Arena.ofShared()) {
            KvCacheWriter.write(F32.segment(arena, k), F32.segment(arena, v), slots, 3, cache.layer(1));
            float[] keys = F32.read(cache.keys(1), 12 * 6), values = F32.read(cache.values(1), 12 * 6);
            float[] expectedK = new float[12 * 6], expectedV = new float[12 * 6];
            System.arraycopy(k, 0, expectedK, 7 * 6, 6);
            System.arraycopy(k, 12, expectedK, 0, 6);
            System.arraycopy(v, 0, expectedV, 7 * 6, 6);
            System.arraycopy(v, 12, expectedV, 0, 6);
            assertArrayEquals(expectedK, keys);
            assertArrayEquals(expectedV, values);
            assertArrayEquals(new float[12 * 6], F32.read(cache.keys(0), 12 * 6), "layer 0 untouched");
            String message = assertThrows(IllegalArgumentException.class, () -> KvCacheWriter.write(
                    F32.segment(arena, k), F32.segment(arena, v), new int[] {12}, 1, cache.layer(0))).getMessage();
            assertTrue(message.contains("slot 12"), message);
        }
    }

    @Test
    void copyBlockCopiesThatBlockInEveryLayerAndNothingElse() {
        KvCacheShape shape = new KvCacheShape(3, 4, 2, 1, 4);
        try (CpuKvCache cache = new CpuKvCache(shape)) {
            Random random = new Random(2);
            float[][] before = new float[6][];
            for (int l = 0; l < 3; l++) {
                for (MemorySegment s : new MemorySegment[] {cache.keys(l), cache.values(l)}) {
                    float[] data = F32.random(random, 32, 1);
                    MemorySegment.copy(data, 0, s, java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, 32);
                }
                before[2 * l] = F32.read(cache.keys(l), 32);
                before[2 * l + 1] = F32.read(cache.values(l), 32);
            }
            cache.copyBlock(1, 3);
            for (int l = 0; l < 3; l++) {
                for (int kv = 0; kv < 2; kv++) {
                    float[] expected = before[2 * l + kv].clone();
                    System.arraycopy(expected, 8, expected, 24, 8); // block = 2 tokens × 4 floats
                    float[] actual = F32.read(kv == 0 ? cache.keys(l) : cache.values(l), 32);
                    assertArrayEquals(expected, actual, "layer " + l + (kv == 0 ? " K" : " V"));
                }
            }
            assertThrows(IllegalArgumentException.class, () -> cache.copyBlock(0, 4));
        }
    }
}
