package dev.pagoda.engine.kv;

import dev.pagoda.engine.request.Request;
import dev.pagoda.engine.sample.SamplingParams;
import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KvCacheManagerTest {

    private static Request request(String id, int length) {
        return new Request(id, IntStream.range(0, length).map(i -> 1 + i % 7).toArray(), SamplingParams.greedy(4), new int[0], 0, 0);
    }

    @Test
    void freeingReturnsTheTailFirstSoTheSharedHeadIsEvictedLast() {
        KvCacheManager kv = new KvCacheManager(5, 4, true);
        Request r = request("r", 12);
        SlotAllocation a = kv.allocateSlots(r, 12, CachedPrefix.NONE);
        assertArrayEquals(new int[] {0, 1, 2}, a.newBlockIds());
        kv.free(r);
        assertArrayEquals(new int[] {3, 4, 2, 1, 0}, kv.pool().freeQueueOrder());
    }

    @Test
    void aFailedAllocationChangesNothing() {
        KvCacheManager kv = new KvCacheManager(3, 4, true);
        Request a = request("a", 8), b = request("b", 8);
        kv.allocateSlots(a, 8, CachedPrefix.NONE);
        assertNull(kv.allocateSlots(b, 8, CachedPrefix.NONE), "2 blocks asked, 1 free");
        assertEquals(1, kv.numFreeBlocks());
        assertArrayEquals(new int[0], kv.blockTable(b));
        assertEquals(2.0 / 3, kv.usage(), 1e-12);
    }

    @Test
    void lookupsHitOnlyComputedFullBlocksAndNeverTheWholeSequence() {
        KvCacheManager kv = new KvCacheManager(16, 4, true);
        Request a = request("a", 10);
        kv.allocateSlots(a, 10, CachedPrefix.NONE);
        assertEquals(0, kv.findCachedPrefix(request("x", 10)).numTokens(), "nothing is cached before it is computed");
        a.setNumComputedTokens(10);
        kv.cacheComputedBlocks(a);
        CachedPrefix same = kv.findCachedPrefix(request("b", 10));
        assertEquals(8, same.numTokens(), "2 full blocks; the partial third is never cached");
        CachedPrefix exact = kv.findCachedPrefix(request("c", 8));
        assertEquals(4, exact.numTokens(), "an 8-token prompt may hit at most (8 - 1) / 4 = 1 block");
        Request c = request("c", 8);
        SlotAllocation alloc = kv.allocateSlots(c, 4, exact);
        assertEquals(1, alloc.newBlockIds().length);
        assertEquals(kv.blockTable(a)[0], kv.blockTable(c)[0]);
        assertEquals(2, kv.pool().refCount(kv.blockTable(a)[0]));
        kv.free(a);
        kv.free(c);
        assertTrue(kv.pool().countCachedFreeBlocks() == 2 && kv.numFreeBlocks() == 16);
    }
}
