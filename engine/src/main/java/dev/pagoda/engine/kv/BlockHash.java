package dev.pagoda.engine.kv;

/**
 * Identity of a full block's contents together with everything before it: 128 bits of SHA-256
 * over the parent block's hash and this block's token ids. Chaining makes equal hashes mean equal
 * prefixes, not just equal blocks; 128 bits make an accidental collision (which would silently
 * serve another prompt's K/V) negligible, so hits need no token comparison.
 */
public record BlockHash(long high, long low) {

    /** Parent of the first block of every sequence. */
    public static final BlockHash ROOT = new BlockHash(0L, 0L);

    @Override
    public String toString() {
        return String.format("%016x%016x", high, low);
    }
}
