package dev.pagoda.engine.kv;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Metadata of every physical KV block (ids only; the tensors live in the model runner).
 *
 * <p>A block is <em>held</em> while its ref count is positive (one count per block table that
 * lists it) and <em>free</em> otherwise. Every free block sits in one doubly linked queue threaded
 * through {@link #prev}/{@link #next}: released blocks join at the tail, allocation takes from the
 * head. A free block may still carry the hash of the full prefix block it held; it stays findable in
 * {@link #cachedBlocks} until allocation reaches it, so the head is the least recently used cached
 * block. A cache hit on a free block unlinks it from the middle of the queue in O(1) — the reason
 * the queue is a linked list over arrays and not a {@code Deque}.
 *
 * <p>Not thread-safe: owned by the engine thread.
 */
public final class BlockPool {

    private static final int NONE = -1;

    private final int numBlocks;
    private final int[] refCount;     // (numBlocks) block tables listing the block
    private final BlockHash[] hashes; // (numBlocks) hash of the full block's contents, null when not cached
    private final int[] prev;         // (numBlocks) free-queue neighbour towards the head, NONE at the head or when held
    private final int[] next;         // (numBlocks) free-queue neighbour towards the tail, NONE at the tail or when held
    private int head = NONE;
    private int tail = NONE;
    private int numFree;
    private final Map<BlockHash, Integer> cachedBlocks = new HashMap<>();

    public BlockPool(int numBlocks) {
        if (numBlocks < 1) throw new IllegalArgumentException("numBlocks must be >= 1, got " + numBlocks);
        this.numBlocks = numBlocks;
        this.refCount = new int[numBlocks];
        this.hashes = new BlockHash[numBlocks];
        this.prev = new int[numBlocks];
        this.next = new int[numBlocks];
        Arrays.fill(prev, NONE);
        Arrays.fill(next, NONE);
        for (int b = 0; b < numBlocks; b++) append(b);
    }

    public int numBlocks() { return numBlocks; }

    /** Free blocks, cached ones included: all of them can be handed out. */
    public int numFreeBlocks() { return numFree; }

    public int refCount(int block) { return refCount[check(block)]; }

    /** The hash the block is registered under in the prefix cache, or null. */
    public BlockHash hash(int block) { return hashes[check(block)]; }

    /** Takes {@code n} blocks from the head of the free queue, evicting the cached prefixes they held. */
    public int[] allocate(int n) {
        if (n < 0 || n > numFree) {
            throw new IllegalStateException("asked for " + n + " blocks but " + numFree + " are free; check numFreeBlocks() first");
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int b = head;
            unlink(b);
            evictHash(b);
            refCount[b] = 1;
            out[i] = b;
        }
        return out;
    }

    /** One more block table lists this block; a free (cached) block leaves the free queue. */
    public void retain(int block) {
        check(block);
        if (refCount[block] == 0) unlink(block);
        refCount[block]++;
    }

    /** One block table fewer lists this block; at zero it joins the free-queue tail, keeping its hash. */
    public void release(int block) {
        check(block);
        if (refCount[block] == 0) {
            throw new IllegalStateException("block " + block + " released more often than it was taken");
        }
        if (--refCount[block] == 0) append(block);
    }

    /** The cached block holding exactly this prefix, or -1. */
    public int cachedBlock(BlockHash hash) {
        Integer b = cachedBlocks.get(hash);
        return b == null ? NONE : b;
    }

    /**
     * Registers a held, full, computed block under its hash. A block already registered, or a hash
     * another block already serves (two requests computed the same prefix at once), is left as is:
     * one copy in the cache is enough, and the duplicate is freed normally later.
     */
    public void cache(int block, BlockHash hash) {
        check(block);
        if (refCount[block] == 0) throw new IllegalStateException("block " + block + " is free; only held blocks can be cached");
        if (hashes[block] != null || cachedBlocks.containsKey(hash)) return;
        hashes[block] = hash;
        cachedBlocks.put(hash, block);
    }

    /** Free blocks that still hold a cached prefix (O(numBlocks); for telemetry and tests). */
    public int countCachedFreeBlocks() {
        int n = 0;
        for (int b = 0; b < numBlocks; b++) if (refCount[b] == 0 && hashes[b] != null) n++;
        return n;
    }

    /** Free-queue order from head (next to be reused) to tail; for tests. */
    public int[] freeQueueOrder() {
        int[] out = new int[numFree];
        int i = 0;
        for (int b = head; b != NONE; b = next[b]) out[i++] = b;
        return out;
    }

    private void evictHash(int block) {
        BlockHash h = hashes[block];
        if (h != null) {
            cachedBlocks.remove(h);
            hashes[block] = null;
        }
    }

    private void append(int block) {
        prev[block] = tail;
        next[block] = NONE;
        if (tail == NONE) head = block; else next[tail] = block;
        tail = block;
        numFree++;
    }

    private void unlink(int block) {
        int p = prev[block], n = next[block];
        if (p == NONE) head = n; else next[p] = n;
        if (n == NONE) tail = p; else prev[n] = p;
        prev[block] = NONE;
        next[block] = NONE;
        numFree--;
    }

    private int check(int block) {
        if (block < 0 || block >= numBlocks) {
            throw new IllegalArgumentException("block id " + block + " outside [0, " + numBlocks + ")");
        }
        return block;
    }
}
