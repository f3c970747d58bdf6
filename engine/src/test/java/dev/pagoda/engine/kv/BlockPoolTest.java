package dev.pagoda.engine.kv;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlockPoolTest {

    private static final BlockHash H0 = new BlockHash(1, 10);
    private static final BlockHash H1 = new BlockHash(2, 20);

    @Test
    void cachedFreeBlocksAreEvictedLeastRecentlyUsedFirstAndHitsLeaveTheQueueFromTheMiddle() {
        BlockPool pool = new BlockPool(4);
        assertArrayEquals(new int[] {0, 1, 2, 3}, pool.freeQueueOrder());
        int[] got = pool.allocate(2);
        assertArrayEquals(new int[] {0, 1}, got);
        pool.cache(0, H0);
        pool.cache(1, H1);
        pool.release(1); // a request frees its tail first
        pool.release(0);
        assertArrayEquals(new int[] {2, 3, 1, 0}, pool.freeQueueOrder());
        assertEquals(2, pool.countCachedFreeBlocks());
        assertEquals(1, pool.cachedBlock(H1));

        pool.retain(1); // prefix hit on a free cached block
        assertArrayEquals(new int[] {2, 3, 0}, pool.freeQueueOrder());
        assertEquals(1, pool.refCount(1));

        assertArrayEquals(new int[] {2, 3, 0}, pool.allocate(3)); // reaching block 0 evicts its prefix
        assertEquals(-1, pool.cachedBlock(H0));
        assertNull(pool.hash(0));
        assertEquals(1, pool.cachedBlock(H1), "a held cached block stays findable");
    }

    @Test
    void misuseFailsWithAClearMessage() {
        BlockPool pool = new BlockPool(2);
        var e = assertThrows(IllegalStateException.class, () -> pool.release(0));
        assertTrue(e.getMessage().contains("block 0 released more often than it was taken"), e.getMessage());
        var tooMany = assertThrows(IllegalStateException.class, () -> pool.allocate(3));
        assertTrue(tooMany.getMessage().contains("asked for 3 blocks but 2 are free"), tooMany.getMessage());
        var badId = assertThrows(IllegalArgumentException.class, () -> pool.refCount(5));
        assertTrue(badId.getMessage().contains("block id 5 outside [0, 2)"), badId.getMessage());
    }

    /** Naive model: the free queue as an ArrayList (O(n) removal), the same LRU and caching rules. */
    private static final class NaivePool {
        final List<Integer> free = new ArrayList<>();
        final int[] ref;
        final BlockHash[] hashOf;
        final Map<BlockHash, Integer> cache = new HashMap<>();

        NaivePool(int n) {
            ref = new int[n];
            hashOf = new BlockHash[n];
            for (int b = 0; b < n; b++) free.add(b);
        }

        int[] allocate(int k) {
            int[] out = new int[k];
            for (int i = 0; i < k; i++) {
                int b = free.removeFirst();
                if (hashOf[b] != null) cache.remove(hashOf[b]);
                hashOf[b] = null;
                ref[b] = 1;
                out[i] = b;
            }
            return out;
        }

        void retain(int b) {
            if (ref[b]++ == 0) free.remove(Integer.valueOf(b));
        }

        void release(int b) {
            if (--ref[b] == 0) free.add(b);
        }

        void cache(int b, BlockHash h) {
            if (hashOf[b] == null && !cache.containsKey(h)) {
                hashOf[b] = h;
                cache.put(h, b);
            }
        }
    }

    @Test
    void randomOperationsMatchANaiveListBasedPool() {
        for (int seed = 0; seed < 300; seed++) {
            Random rnd = new Random(seed);
            int n = 1 + rnd.nextInt(12);
            BlockPool pool = new BlockPool(n);
            NaivePool ref = new NaivePool(n);
            List<BlockHash> hashes = new ArrayList<>();
            for (int i = 0; i < 6; i++) hashes.add(new BlockHash(rnd.nextLong(), i));
            for (int op = 0; op < 200; op++) {
                int b = rnd.nextInt(n);
                switch (rnd.nextInt(4)) {
                    case 0 -> {
                        int k = rnd.nextInt(pool.numFreeBlocks() + 1);
                        assertArrayEquals(ref.allocate(k), pool.allocate(k), "seed " + seed + " op " + op);
                    }
                    case 1 -> {
                        // hits only ever retain cached or held blocks
                        if (ref.ref[b] > 0 || ref.hashOf[b] != null) {
                            ref.retain(b);
                            pool.retain(b);
                        }
                    }
                    case 2 -> {
                        if (ref.ref[b] > 0) {
                            ref.release(b);
                            pool.release(b);
                        }
                    }
                    default -> {
                        if (ref.ref[b] > 0) {
                            BlockHash h = hashes.get(rnd.nextInt(hashes.size()));
                            ref.cache(b, h);
                            pool.cache(b, h);
                        }
                    }
                }
                assertArrayEquals(ref.free.stream().mapToInt(Integer::intValue).toArray(), pool.freeQueueOrder(),
                        "free queue, seed " + seed + " op " + op);
                for (int x = 0; x < n; x++) assertEquals(ref.ref[x], pool.refCount(x), "seed " + seed + " block " + x);
                for (BlockHash h : hashes) {
                    assertEquals(ref.cache.getOrDefault(h, -1), pool.cachedBlock(h), "seed " + seed + " hash " + h);
                }
            }
        }
    }
}
