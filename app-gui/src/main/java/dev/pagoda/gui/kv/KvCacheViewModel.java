package dev.pagoda.gui.kv;

import dev.pagoda.catalog.tokenizer.Tokenizer;
import dev.pagoda.engine.api.EngineState;
import dev.pagoda.engine.telemetry.KvSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The block map's model, plain Java: fed the engine's latest {@link EngineState} once per frame, it
 * keeps per block how to draw it (kind and colour) and answers hover and per-request lookups. A
 * frame with the same snapshot as the last costs nothing: the engine publishes a new one per step.
 * The text of a hovered block is decoded only then, with the running model's tokenizer.
 *
 * <p>Only the FX thread calls it (from the frame timer and mouse handlers), so it is not synchronized.
 */
public final class KvCacheViewModel {

    private static final CellKind[] KINDS = CellKind.values();

    private KvSnapshot snapshot;
    private long stepIndex = -1;
    private byte[] kinds = new byte[0];   // (numBlocks) CellKind ordinals
    private int[] colors = new int[0];    // (numBlocks) ARGB fill
    private final Map<String, Integer> colorCache = new HashMap<>();
    private final Supplier<Optional<Tokenizer>> tokenizer;

    /** A map without token text (ids only). */
    public KvCacheViewModel() {
        this(Optional::empty);
    }

    /** @param tokenizer the running model's tokenizer, if any: decodes a hovered block's tokens */
    public KvCacheViewModel(Supplier<Optional<Tokenizer>> tokenizer) {
        this.tokenizer = tokenizer;
    }

    /**
     * Takes the state's snapshot if it is new.
     *
     * @return true when the map changed and must be redrawn
     */
    public boolean update(EngineState state) {
        if (state == null || state.kvSnapshot() == null || state.kvSnapshot() == snapshot) return false;
        KvSnapshot s = state.kvSnapshot();
        int n = s.numBlocks();
        if (kinds.length != n) {
            kinds = new byte[n];
            colors = new int[n];
        }
        // Ids of finished requests never come back: forget colours once there are many more than blocks.
        if (colorCache.size() > 4 * n + 1024) colorCache.clear();
        for (int b = 0; b < n; b++) {
            CellKind kind = kindOf(s, b);
            kinds[b] = (byte) kind.ordinal();
            colors[b] = switch (kind) {
                case FREE -> OwnerColors.FREE;
                case CACHED_FREE -> OwnerColors.CACHED_FREE;
                case HELD, SHARED -> s.ownerCount(b) == 0 ? OwnerColors.FREE : colorOf(s.owners(b).getFirst());
            };
        }
        snapshot = s;
        stepIndex = state.lastStep() == null ? -1 : state.lastStep().stepIndex();
        return true;
    }

    private static CellKind kindOf(KvSnapshot s, int block) {
        return switch (s.state(block)) {
            case FREE -> CellKind.FREE;
            case CACHED_FREE -> CellKind.CACHED_FREE;
            case HELD, HELD_CACHED -> s.refCount(block) > 1 ? CellKind.SHARED : CellKind.HELD;
        };
    }

    private int colorOf(String requestId) {
        return colorCache.computeIfAbsent(requestId, OwnerColors::forRequest);
    }

    /** The snapshot shown now; null before the first update. */
    public KvSnapshot snapshot() { return snapshot; }

    /** Step index of the snapshot shown, -1 before the engine's first step. */
    public long stepIndex() { return stepIndex; }

    public int numBlocks() { return kinds.length; }

    public CellKind kind(int block) { return KINDS[kinds[checked(block)]]; }

    /** ARGB fill of the block. */
    public int color(int block) { return colors[checked(block)]; }

    /** What hovering {@code block} shows, its tokens' text included. */
    public BlockInfo blockInfo(int block) {
        checked(block);
        List<String> owners = snapshot.owners(block);
        return new BlockInfo(block, snapshot.state(block), snapshot.refCount(block), owners,
                snapshot.tokenCount(block), owners.isEmpty() ? null : tokensOf(block, owners.getFirst()));
    }

    /**
     * The tokens {@code block} holds for {@code owner}: logical block i of a request holds its
     * positions [i * blockSize, i * blockSize + filled). A shared block holds the same tokens for
     * every owner (the prefix they share), so the first owner's view is the block's.
     */
    private BlockInfo.Tokens tokensOf(int block, String owner) {
        int[] table = snapshot.blockTable(owner);
        int logical = -1;
        for (int i = 0; i < table.length && logical < 0; i++) if (table[i] == block) logical = i;
        if (logical < 0) return null; // a snapshot without tables (an engine that does not report them)
        int bs = snapshot.blockSize();
        int from = logical * bs;
        int filled = Math.clamp(snapshot.computedTokens(owner) - (long) from, 0, bs);
        int[] ids = snapshot.tokenIds(owner, from, from + filled);
        String text = tokenizer.get().map(t -> t.decode(ids, false)).orElse(null);
        return new BlockInfo.Tokens(owner, logical, from, from + ids.length, ids, text);
    }

    /**
     * Per request holding blocks, its block table: physical block ids in logical order (index i
     * holds the request's tokens [i * blockSize, (i + 1) * blockSize)), in the order the requests
     * got their first block.
     */
    public Map<String, int[]> blockTables() {
        Map<String, int[]> out = new LinkedHashMap<>();
        if (snapshot == null) return out;
        for (String id : snapshot.requestIds()) out.put(id, snapshot.blockTable(id));
        return out;
    }

    /**
     * Per request, the physical blocks it holds, in ascending block id, read from the per-block
     * owner lists (what the map colours); {@link #blockTables()} gives their logical order.
     */
    public Map<String, int[]> blocksByRequest() {
        Map<String, List<Integer>> lists = new LinkedHashMap<>();
        for (int b = 0; b < kinds.length; b++) {
            for (String owner : snapshot.owners(b)) lists.computeIfAbsent(owner, k -> new ArrayList<>()).add(b);
        }
        Map<String, int[]> out = new LinkedHashMap<>();
        lists.forEach((id, blocks) -> out.put(id, blocks.stream().mapToInt(Integer::intValue).toArray()));
        return out;
    }

    /** Blocks per kind, in {@link CellKind} order, for the legend. */
    public int[] countsByKind() {
        int[] counts = new int[KINDS.length];
        for (byte k : kinds) counts[k]++;
        return counts;
    }

    private int checked(int block) {
        if (block < 0 || block >= kinds.length) {
            throw new IllegalArgumentException("block " + block + " is outside the map of " + kinds.length + " blocks");
        }
        return block;
    }
}
