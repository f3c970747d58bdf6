package dev.pagoda.engine.telemetry;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The state of every KV block at one instant, for the GUI's block map and for tests. Stored as
 * parallel arrays (one entry per block, owners in compressed-row form) so that building one every
 * step for tens of thousands of blocks costs a few array fills, not an object per block.
 *
 * <p>Beside the per-block arrays it carries, per request holding blocks, its block table (logical
 * block i -> physical block id, in order) and its token ids (prompt then output), so a viewer can
 * tell which tokens a block holds: logical block i of a request holds its tokens
 * {@code [i * blockSize, i * blockSize + tokenCount)}. Tokens are ids only; turning them into text
 * is the viewer's job, and only for what it shows.
 */
public final class KvSnapshot {

    /** What a block is doing. */
    public enum BlockState {
        /** Free, holding nothing reusable. */
        FREE,
        /** Free, but still holding a full prefix block that a later request can hit; evicted LRU. */
        CACHED_FREE,
        /** Held by at least one request, not (yet) registered in the prefix cache. */
        HELD,
        /** Held and registered in the prefix cache (a full, computed block). */
        HELD_CACHED
    }

    private static final BlockState[] STATES = BlockState.values();

    private final int blockSize;
    private final int[] refCounts;     // (numBlocks)
    private final byte[] states;       // (numBlocks) BlockState ordinals
    private final int[] tokenCounts;   // (numBlocks) tokens whose K/V the block holds, 0..blockSize
    private final int[] ownerStart;    // (numBlocks + 1) block b's owners are ownerIndex[ownerStart[b] .. ownerStart[b+1])
    private final int[] ownerIndex;    // (total owners) indices into ownerIds
    private final String[] ownerIds;   // (distinct owners) request ids
    private final Sequences sequences; // per request holding blocks: block table and token ids (copied)
    private final Map<String, Integer> sequenceIndex; // request id -> position in sequences

    /** A snapshot without block tables or tokens (each request's table reads as empty). */
    public KvSnapshot(int blockSize, int[] refCounts, byte[] states, int[] tokenCounts,
                      Owners owners) {
        this(blockSize, refCounts, states, tokenCounts, owners, Sequences.NONE);
    }

    /** Copies the given arrays; see the field comments for their shapes. */
    public KvSnapshot(int blockSize, int[] refCounts, byte[] states, int[] tokenCounts,
                      Owners owners, Sequences sequences) {
        int n = refCounts.length;
        if (states.length != n || tokenCounts.length != n || owners.start().length != n + 1) {
            throw new IllegalArgumentException("per-block arrays disagree on the number of blocks: refCounts "
                    + n + ", states " + states.length + ", tokenCounts " + tokenCounts.length
                    + ", ownerStart " + owners.start().length + " (expected " + (n + 1) + ")");
        }
        this.blockSize = blockSize;
        this.refCounts = refCounts.clone();
        this.states = states.clone();
        this.tokenCounts = tokenCounts.clone();
        this.ownerStart = owners.start().clone();
        this.ownerIndex = owners.index().clone();
        this.ownerIds = owners.ids().clone();
        this.sequences = sequences.copy();
        this.sequenceIndex = new HashMap<>(sequences.ids().length * 2);
        for (int i = 0; i < sequences.ids().length; i++) {
            if (sequenceIndex.put(sequences.ids()[i], i) != null) {
                throw new IllegalArgumentException("request " + sequences.ids()[i] + " has two block tables");
            }
        }
    }

    /**
     * Per request holding blocks, in the order they got their first block: one entry per request in
     * each array.
     *
     * @param ids            request ids
     * @param blockTables    (requests)(logical blocks) physical block ids, in logical order
     * @param tokenIds       (requests)(prompt + output tokens) token ids
     * @param computedTokens (requests) tokens whose K/V are in the cache
     */
    public record Sequences(String[] ids, int[][] blockTables, int[][] tokenIds, int[] computedTokens) {
        public static final Sequences NONE = new Sequences(new String[0], new int[0][], new int[0][], new int[0]);

        public Sequences {
            int n = ids.length;
            if (blockTables.length != n || tokenIds.length != n || computedTokens.length != n) {
                throw new IllegalArgumentException("per-request arrays disagree on the number of requests: ids " + n
                        + ", blockTables " + blockTables.length + ", tokenIds " + tokenIds.length
                        + ", computedTokens " + computedTokens.length);
            }
        }

        Sequences copy() {
            int[][] tables = new int[ids.length][];
            int[][] tokens = new int[ids.length][];
            for (int i = 0; i < ids.length; i++) {
                tables[i] = blockTables[i].clone();
                tokens[i] = tokenIds[i].clone();
            }
            return new Sequences(ids.clone(), tables, tokens, computedTokens.clone());
        }
    }

    /**
     * Block owners in compressed-row form.
     *
     * @param start (numBlocks + 1) offsets into {@code index}
     * @param index (total owners) positions in {@code ids}
     * @param ids   (distinct owners) request ids
     */
    public record Owners(int[] start, int[] index, String[] ids) {}

    public int blockSize() { return blockSize; }

    public int numBlocks() { return refCounts.length; }

    public int refCount(int block) { return refCounts[block]; }

    public BlockState state(int block) { return STATES[states[block]]; }

    public int tokenCount(int block) { return tokenCounts[block]; }

    public int ownerCount(int block) { return ownerStart[block + 1] - ownerStart[block]; }

    public List<String> owners(int block) {
        String[] out = new String[ownerCount(block)];
        for (int i = 0; i < out.length; i++) out[i] = ownerIds[ownerIndex[ownerStart[block] + i]];
        return List.of(out);
    }

    /** Requests holding blocks, in the order they got their first block. */
    public List<String> requestIds() {
        return List.of(sequences.ids());
    }

    /** The request's block table (physical block id per logical block); empty if it holds none. */
    public int[] blockTable(String requestId) {
        Integer i = sequenceIndex.get(requestId);
        return i == null ? new int[0] : sequences.blockTables()[i].clone();
    }

    /** The request's prompt then output token ids; empty if it holds no blocks. */
    public int[] tokenIds(String requestId) {
        Integer i = sequenceIndex.get(requestId);
        return i == null ? new int[0] : sequences.tokenIds()[i].clone();
    }

    /** The request's tokens {@code [from, to)}, clipped to those it has. */
    public int[] tokenIds(String requestId, int from, int to) {
        Integer i = sequenceIndex.get(requestId);
        if (i == null) return new int[0];
        int[] all = sequences.tokenIds()[i];
        int f = Math.clamp(from, 0, all.length);
        return Arrays.copyOfRange(all, f, Math.clamp(to, f, all.length));
    }

    /** Tokens of the request whose K/V are in the cache; 0 if it holds no blocks. */
    public int computedTokens(String requestId) {
        Integer i = sequenceIndex.get(requestId);
        return i == null ? 0 : sequences.computedTokens()[i];
    }

    public int count(BlockState state) {
        int n = 0;
        for (byte s : states) if (s == state.ordinal()) n++;
        return n;
    }

    /** Held blocks over all blocks; cached-free blocks count as free, as vLLM's kv_cache_usage_perc. */
    public double usage() {
        return (count(BlockState.HELD) + count(BlockState.HELD_CACHED)) / (double) numBlocks();
    }

    @Override
    public String toString() {
        return "KvSnapshot[blocks=" + numBlocks() + ", states=" + Arrays.toString(
                Arrays.stream(STATES).mapToInt(this::count).toArray()) + "]";
    }
}
