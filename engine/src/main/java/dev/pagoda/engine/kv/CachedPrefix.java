package dev.pagoda.engine.kv;

import java.util.List;

/**
 * Result of a prefix-cache lookup: blocks whose K/V can be reused as they are, and how many tokens
 * they hold (always whole blocks, and always fewer than the request's tokens).
 *
 * @param blockIds   cached blocks, in sequence order
 * @param numTokens  {@code blockIds.length * blockSize}
 * @param hashes     the request's full-block hashes computed during the lookup (reused later)
 */
public record CachedPrefix(int[] blockIds, int numTokens, List<BlockHash> hashes) {

    public static final CachedPrefix NONE = new CachedPrefix(new int[0], 0, List.of());

    public CachedPrefix {
        blockIds = blockIds.clone();
        hashes = List.copyOf(hashes);
    }

    public int numBlocks() {
        return blockIds.length;
    }
}
