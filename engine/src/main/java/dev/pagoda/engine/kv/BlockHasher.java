package dev.pagoda.engine.kv;

import dev.pagoda.engine.request.Request;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Computes chained {@link BlockHash}es of a request's full blocks. Holds one reusable digest and
 * buffer, so it belongs to one thread (the engine thread, through its KV cache manager).
 */
public final class BlockHasher {

    private final int blockSize;
    private final MessageDigest sha256;
    private final ByteBuffer buffer;

    public BlockHasher(int blockSize) {
        if (blockSize < 1) throw new IllegalArgumentException("blockSize must be >= 1, got " + blockSize);
        this.blockSize = blockSize;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256, which every Java platform must provide", e);
        }
        this.buffer = ByteBuffer.allocate(16 + 4 * blockSize).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Hash of the block holding positions {@code [index*blockSize, (index+1)*blockSize)} of the request. */
    public BlockHash hash(BlockHash parent, Request request, int index) {
        buffer.clear();
        buffer.putLong(parent.high()).putLong(parent.low());
        int start = index * blockSize;
        for (int i = 0; i < blockSize; i++) buffer.putInt(request.tokenAt(start + i));
        byte[] digest = sha256.digest(buffer.array());
        ByteBuffer d = ByteBuffer.wrap(digest).order(ByteOrder.LITTLE_ENDIAN);
        return new BlockHash(d.getLong(0), d.getLong(8));
    }

    /** Appends the hashes of the request's full blocks among its first {@code numTokens} tokens not yet in {@code hashes}. */
    public void extend(List<BlockHash> hashes, Request request, int numTokens) {
        int full = numTokens / blockSize;
        for (int i = hashes.size(); i < full; i++) {
            BlockHash parent = i == 0 ? BlockHash.ROOT : hashes.get(i - 1);
            hashes.add(hash(parent, request, i));
        }
    }
}
