package dev.pagoda.gui.bench;

import dev.pagoda.engine.telemetry.KvSnapshot;
import dev.pagoda.engine.telemetry.KvSnapshot.BlockState;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded KV snapshots shaped like a busy engine, for the frame benchmark and the view-model tests:
 * each request holds a run of blocks, some requests share their first blocks with the previous
 * request (a prefix hit), a few blocks are cached-free, the rest free.
 */
public final class SyntheticKvSnapshots {

    private SyntheticKvSnapshots() {}

    /**
     * @param numBlocks   blocks in the pool
     * @param numRequests running requests; together they hold about 85% of the blocks
     */
    public static KvSnapshot busy(int numBlocks, int numRequests, int blockSize, long seed) {
        if (numBlocks < 1 || numRequests < 0 || blockSize < 1) {
            throw new IllegalArgumentException("need numBlocks >= 1, numRequests >= 0, blockSize >= 1; got "
                    + numBlocks + ", " + numRequests + ", " + blockSize);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        List<List<Integer>> owners = new ArrayList<>(numBlocks); // per block, indices of its owners
        for (int b = 0; b < numBlocks; b++) owners.add(new ArrayList<>());
        byte[] states = new byte[numBlocks];
        int[] tokens = new int[numBlocks];
        int perRequest = numRequests == 0 ? 0 : Math.max(1, (int) (numBlocks * 0.85 / numRequests));
        int next = 0;
        int[] firstBlock = new int[numRequests];
        for (int r = 0; r < numRequests && next < numBlocks; r++) {
            firstBlock[r] = next;
            int len = Math.min(numBlocks - next, 1 + rnd.nextInt(2 * perRequest));
            for (int i = 0; i < len; i++, next++) {
                owners.get(next).add(r);
                states[next] = (byte) (i < len - 1 ? BlockState.HELD_CACHED : BlockState.HELD).ordinal();
                tokens[next] = i < len - 1 ? blockSize : 1 + rnd.nextInt(blockSize);
            }
            // A prefix hit: this request also holds the first full block of the one before it.
            if (r > 0 && rnd.nextInt(4) == 0 && states[firstBlock[r - 1]] == BlockState.HELD_CACHED.ordinal()) {
                owners.get(firstBlock[r - 1]).add(r);
            }
        }
        for (int b = next; b < numBlocks; b++) {
            boolean cached = rnd.nextInt(5) == 0;
            states[b] = (byte) (cached ? BlockState.CACHED_FREE : BlockState.FREE).ordinal();
            tokens[b] = cached ? blockSize : 0;
        }
        int[] refCounts = new int[numBlocks];
        int[] start = new int[numBlocks + 1];
        List<Integer> index = new ArrayList<>();
        for (int b = 0; b < numBlocks; b++) {
            refCounts[b] = owners.get(b).size();
            index.addAll(owners.get(b));
            start[b + 1] = index.size();
        }
        String[] ids = new String[numRequests];
        for (int r = 0; r < numRequests; r++) ids[r] = "cmpl-" + seed + "-" + r;
        return new KvSnapshot(blockSize, refCounts, states, tokens,
                new KvSnapshot.Owners(start, index.stream().mapToInt(Integer::intValue).toArray(), ids),
                sequences(owners, tokens, ids, blockSize, rnd));
    }

    /**
     * Each request's block table read back from the owner lists (a shared prefix block first, then
     * its own run in ascending ids, as they were handed out), with random token ids: its blocks' tokens
     * plus the one sampled token not yet computed.
     */
    private static KvSnapshot.Sequences sequences(List<List<Integer>> owners, int[] tokens, String[] ids, int blockSize,
                                                  SplittableRandom rnd) {
        List<List<Integer>> tables = new ArrayList<>();
        for (int r = 0; r < ids.length; r++) tables.add(new ArrayList<>());
        for (int b = 0; b < owners.size(); b++) {
            for (int r : owners.get(b)) {
                List<Integer> t = tables.get(r);
                boolean sharedPrefix = owners.get(b).getFirst() != r; // another request's block, held by this one
                if (sharedPrefix) t.addFirst(b); else t.add(b);
            }
        }
        List<Integer> holding = new ArrayList<>();
        for (int r = 0; r < ids.length; r++) if (!tables.get(r).isEmpty()) holding.add(r);
        String[] seqIds = new String[holding.size()];
        int[][] blockTables = new int[holding.size()][];
        int[][] tokenIds = new int[holding.size()][];
        int[] computed = new int[holding.size()];
        for (int i = 0; i < holding.size(); i++) {
            int r = holding.get(i);
            seqIds[i] = ids[r];
            blockTables[i] = tables.get(r).stream().mapToInt(Integer::intValue).toArray();
            int last = blockTables[i][blockTables[i].length - 1];
            computed[i] = (blockTables[i].length - 1) * blockSize + tokens[last];
            tokenIds[i] = rnd.ints(computed[i] + 1, 0, 32_000).toArray();
        }
        return new KvSnapshot.Sequences(seqIds, blockTables, tokenIds, computed);
    }
}
