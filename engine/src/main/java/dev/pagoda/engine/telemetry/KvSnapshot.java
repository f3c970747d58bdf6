package dev.pagoda.engine.telemetry;

import java.util.Arrays;
import java.util.List;

/**
 * The state of every KV block at one instant, for the GUI's block map and for tests. Stored as
 * parallel arrays (one entry per block, owners in compressed-row form) so that building one every
 * step for tens of thousands of blocks costs a few array fills, not an object per block.
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

    /** Copies the given arrays; see the field comments for their shapes. */
    public KvSnapshot(int blockSize, int[] refCounts, byte[] states, int[] tokenCounts,
                      Owners owners) {
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
