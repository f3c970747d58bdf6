package dev.pagoda.engine.kv;

import dev.pagoda.engine.request.Request;
import dev.pagoda.engine.request.SequenceId;
import dev.pagoda.engine.telemetry.KvSnapshot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gives each request a block table (logical block i -> physical block id) over a shared
 * {@link BlockPool}, with prefix caching and copy-on-write sharing, after vLLM V1's
 * {@code KVCacheManager}.
 *
 * <pre>
 * block size 4. A has 10 tokens t0..t9. B shares A's first 8 tokens (a cached system prompt) and
 * has 5 of its own. C is A's fork (n = 2): it shared all of A's blocks, then wrote into the shared,
 * not-full last block, so it got its own copy first.
 *
 * logical block:     0        1        2                    3
 * A (10 tokens) -> [ 7 ]    [ 3 ]    [12] t8 t9 .  .
 * B (13 tokens) -> [ 7 ]    [ 3 ]    [ 5 ] u0 u1 u2 u3    [ 9 ] u4 .  .  .
 * C (11 tokens) -> [ 7 ]    [ 3 ]    [14] t8 t9 c0 .       <- copy-on-write: (src 12, dst 14)
 *                  ref 3    ref 3    ref 1 each
 *
 * [7] = t0..t3 and [3] = t4..t7 are full and hashed: stored once, listed in three tables.
 * The last block of each table is partial ('.' = free slot); only its owner writes there.
 * slot of position p = table[p / blockSize] * blockSize + p % blockSize
 * </pre>
 *
 * <p>Why these rules:
 * <ul>
 * <li>Only full blocks are hashed, each hash chained on its parent's, so a hit on block i implies
 *     the whole prefix up to it is equal. The hash covers tokens only: one pool serves one model.</li>
 * <li>A lookup never covers the whole sequence: the last token must be computed again so the
 *     step produces the logits that sample the next token (vLLM does the same).</li>
 * <li>Blocks are cached after their tokens are scheduled and known ({@link #cacheComputedBlocks}),
 *     never at allocation, so a hit never reads K/V that the same step is still writing (a later
 *     step that hits it runs after the writing one: steps execute in order).</li>
 * <li>A request's blocks are released in reverse order: the free queue then reuses a sequence's
 *     tail before its head, and heads are what other requests share.</li>
 * </ul>
 *
 * <p>Not thread-safe: owned by the engine thread.
 */
public final class KvCacheManager {

    private final int blockSize;
    private final boolean prefixCaching;
    private final BlockPool pool;
    private final BlockHasher hasher;
    private final Map<SequenceId, Sequence> sequences = new LinkedHashMap<>();

    /** One request's block table and the hashes of its full blocks. */
    private static final class Sequence {
        final Request request;
        int[] blocks = new int[8];
        int size;
        final List<BlockHash> hashes = new ArrayList<>();
        /** Leading blocks already offered to the prefix cache. */
        int numCachedBlocks;
        /** First entry changed since {@link #takeTableChange} last handed the table out (the runner's copy is stale from here). */
        int changedFrom;

        Sequence(Request request) {
            this.request = request;
        }

        void add(int block) {
            if (size == blocks.length) blocks = Arrays.copyOf(blocks, size * 2);
            changedFrom = Math.min(changedFrom, size);
            blocks[size++] = block;
        }

        void replace(int i, int block) {
            blocks[i] = block;
            changedFrom = Math.min(changedFrom, i);
        }
    }

    /**
     * What changed in a block table since it was last taken: entries from {@code from} on are
     * {@code blocks}. A table taken for the first time (new, forked, or re-allocated after
     * preemption) changes from entry 0.
     */
    public record TableChange(int from, int[] blocks) {}

    public KvCacheManager(int numBlocks, int blockSize, boolean prefixCaching) {
        if (blockSize < 1) throw new IllegalArgumentException("blockSize must be >= 1, got " + blockSize);
        this.blockSize = blockSize;
        this.prefixCaching = prefixCaching;
        this.pool = new BlockPool(numBlocks);
        this.hasher = new BlockHasher(blockSize);
    }

    public int blockSize() { return blockSize; }

    public int numBlocks() { return pool.numBlocks(); }

    public int numFreeBlocks() { return pool.numFreeBlocks(); }

    public boolean prefixCaching() { return prefixCaching; }

    /** Read access to the pool's per-block state (ref counts, hashes, free queue) for telemetry and tests. */
    public BlockPool pool() { return pool; }

    /** Fraction of blocks held by requests; cached free blocks count as free (vLLM's kv_cache_usage_perc). */
    public double usage() {
        return 1.0 - pool.numFreeBlocks() / (double) pool.numBlocks();
    }

    /**
     * The longest run of cached full blocks matching the request's tokens from position 0, capped
     * so at least one token is left to compute. Takes nothing: {@link #allocateSlots} claims the
     * blocks, so a request that does not fit this step leaves the cache untouched.
     */
    public CachedPrefix findCachedPrefix(Request request) {
        if (!prefixCaching || sequences.containsKey(request.id())) return CachedPrefix.NONE;
        List<BlockHash> hashes = new ArrayList<>();
        hasher.extend(hashes, request, request.numTokens());
        int maxHitBlocks = (request.numTokens() - 1) / blockSize;
        int[] hits = new int[maxHitBlocks];
        int n = 0;
        while (n < maxHitBlocks) {
            int b = pool.cachedBlock(hashes.get(n));
            if (b < 0) break;
            hits[n++] = b;
        }
        return new CachedPrefix(Arrays.copyOf(hits, n), n * blockSize, hashes);
    }

    /**
     * Makes room for {@code numNewTokens} more tokens after the request's computed ones (after
     * {@code cached}'s tokens when it is admitted with a prefix hit). Returns null, changing
     * nothing, when the pool cannot supply the blocks; the caller then preempts someone.
     *
     * @param cached a lookup result for a request that holds no blocks yet, else {@link CachedPrefix#NONE}
     */
    public SlotAllocation allocateSlots(Request request, int numNewTokens, CachedPrefix cached) {
        if (numNewTokens < 0) throw new IllegalArgumentException("numNewTokens must be >= 0, got " + numNewTokens);
        Sequence seq = sequences.get(request.id());
        if (seq != null && cached.numBlocks() > 0) {
            throw new IllegalStateException("request " + request.id() + " already holds blocks; a prefix hit only applies at admission");
        }
        int held = seq == null ? 0 : seq.size;
        int writeStart = request.numComputedTokens() + cached.numTokens();
        int required = ceilDiv(writeStart + numNewTokens, blockSize);
        int fresh = Math.max(0, required - held - cached.numBlocks());
        int firstWritten = writeStart / blockSize;
        int copies = 0;
        if (seq != null && numNewTokens > 0) {
            for (int i = firstWritten; i < held; i++) if (pool.refCount(seq.blocks[i]) > 1) copies++;
        }
        int hitsInFreeQueue = 0;
        for (int b : cached.blockIds()) if (pool.refCount(b) == 0) hitsInFreeQueue++;
        if (fresh + copies + hitsInFreeQueue > pool.numFreeBlocks()) return null;

        if (seq == null) {
            seq = new Sequence(request);
            sequences.put(request.id(), seq);
        }
        for (int b : cached.blockIds()) {
            pool.retain(b);
            seq.add(b);
        }
        if (seq.hashes.isEmpty()) seq.hashes.addAll(cached.hashes());
        seq.numCachedBlocks = Math.max(seq.numCachedBlocks, cached.numBlocks());

        List<BlockCopy> copyList = new ArrayList<>(copies);
        if (copies > 0) {
            for (int i = firstWritten; i < held; i++) {
                int shared = seq.blocks[i];
                if (pool.refCount(shared) > 1) {
                    int own = pool.allocate(1)[0];
                    copyList.add(new BlockCopy(shared, own));
                    pool.release(shared); // still held by the other sharers
                    seq.replace(i, own);
                }
            }
        }
        int[] added = pool.allocate(fresh);
        for (int b : added) seq.add(b);
        return new SlotAllocation(added, copyList);
    }

    /**
     * Registers the request's full, computed blocks in the prefix cache. Called after a step so
     * that only K/V already written is offered to others.
     */
    public void cacheComputedBlocks(Request request) {
        if (!prefixCaching) return;
        Sequence seq = sequences.get(request.id());
        if (seq == null) return;
        int full = Math.min(request.numComputedKnownTokens() / blockSize, seq.size); // a pending token is not hashed
        if (full <= seq.numCachedBlocks) return;
        hasher.extend(seq.hashes, request, full * blockSize);
        for (int i = seq.numCachedBlocks; i < full; i++) pool.cache(seq.blocks[i], seq.hashes.get(i));
        seq.numCachedBlocks = full;
    }

    /**
     * The child starts with the parent's block table: every block gains a reference and nothing
     * is copied until one of them writes into a shared block ({@link #allocateSlots} copies then).
     */
    public void fork(Request parent, Request child) {
        Sequence p = sequences.get(parent.id());
        if (sequences.containsKey(child.id())) {
            throw new IllegalStateException("request " + child.id() + " already has a block table");
        }
        Sequence c = new Sequence(child);
        sequences.put(child.id(), c);
        if (p == null) return; // a parent with nothing computed shares nothing
        for (int i = 0; i < p.size; i++) {
            pool.retain(p.blocks[i]);
            c.add(p.blocks[i]);
        }
        c.hashes.addAll(p.hashes);
        c.numCachedBlocks = p.numCachedBlocks;
    }

    /** Returns all the request's blocks to the pool, last block first; a no-op if it holds none. */
    public void free(Request request) {
        Sequence seq = sequences.remove(request.id());
        if (seq == null) return;
        for (int i = seq.size - 1; i >= 0; i--) pool.release(seq.blocks[i]);
    }

    /** The request's block table (physical block id per logical block); empty if it holds none. */
    public int[] blockTable(Request request) {
        Sequence seq = sequences.get(request.id());
        return seq == null ? new int[0] : Arrays.copyOf(seq.blocks, seq.size);
    }

    /**
     * The entries of the request's block table that changed since the last call for it, for the
     * scheduler to send the runner a change instead of the whole table every step.
     */
    public TableChange takeTableChange(Request request) {
        Sequence seq = sequences.get(request.id());
        if (seq == null) return new TableChange(0, NO_BLOCKS);
        int from = Math.min(seq.changedFrom, seq.size);
        seq.changedFrom = seq.size;
        return new TableChange(from, from == seq.size ? NO_BLOCKS : Arrays.copyOfRange(seq.blocks, from, seq.size));
    }

    private static final int[] NO_BLOCKS = new int[0]; // most steps change no entry: one shared empty change

    /** Every request's block table, in the order requests got their first block; for tests and telemetry. */
    public Map<SequenceId, int[]> blockTables() {
        Map<SequenceId, int[]> out = new LinkedHashMap<>();
        for (var e : sequences.entrySet()) out.put(e.getKey(), Arrays.copyOf(e.getValue().blocks, e.getValue().size));
        return out;
    }

    /**
     * Every block's owners, ref count, cache state and filled tokens, built from flat arrays, plus
     * each request's block table and token ids (two array copies per request).
     */
    public KvSnapshot snapshot() {
        int n = pool.numBlocks();
        int[] refCounts = new int[n];
        byte[] states = new byte[n];
        int[] tokenCounts = new int[n];
        for (int b = 0; b < n; b++) {
            int rc = pool.refCount(b);
            boolean hashed = pool.hash(b) != null;
            refCounts[b] = rc;
            KvSnapshot.BlockState state = rc > 0
                    ? (hashed ? KvSnapshot.BlockState.HELD_CACHED : KvSnapshot.BlockState.HELD)
                    : (hashed ? KvSnapshot.BlockState.CACHED_FREE : KvSnapshot.BlockState.FREE);
            states[b] = (byte) state.ordinal();
            if (hashed) tokenCounts[b] = blockSize;
        }
        int[] start = new int[n + 1];
        for (Sequence seq : sequences.values()) for (int i = 0; i < seq.size; i++) start[seq.blocks[i] + 1]++;
        for (int b = 0; b < n; b++) start[b + 1] += start[b];
        int[] fill = Arrays.copyOf(start, n);
        int[] index = new int[start[n]];
        String[] ids = new String[sequences.size()];
        Map<String, Integer> idIndex = new HashMap<>();
        int[][] tables = new int[ids.length][];
        int[][] tokens = new int[ids.length][];
        int[] computedTokens = new int[ids.length];
        int owner = 0;
        for (Sequence seq : sequences.values()) {
            ids[owner] = seq.request.id().toString();
            tables[owner] = Arrays.copyOf(seq.blocks, seq.size);
            tokens[owner] = seq.request.tokenIds(0, seq.request.numTokens());
            int computed = seq.request.numComputedKnownTokens(); // the snapshot shows known tokens only
            computedTokens[owner] = computed;
            idIndex.put(ids[owner], owner);
            for (int i = 0; i < seq.size; i++) {
                int b = seq.blocks[i];
                index[fill[b]++] = owner;
                int filled = Math.clamp(computed - (long) i * blockSize, 0, blockSize);
                tokenCounts[b] = Math.max(tokenCounts[b], filled);
            }
            owner++;
        }
        return new KvSnapshot(blockSize, refCounts, states, tokenCounts, new KvSnapshot.Owners(start, index, ids),
                new KvSnapshot.Sequences(ids, tables, tokens, computedTokens));
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
