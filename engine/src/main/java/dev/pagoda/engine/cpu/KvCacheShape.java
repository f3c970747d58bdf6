package dev.pagoda.engine.cpu;

import dev.pagoda.catalog.config.ModelSpec;

/**
 * Geometry of a paged f32 KV cache. Each layer holds K and V as
 * {@code [numBlocks, blockSize, kvHeads, headDim]}, so a block holds whole tokens and one
 * block-table lookup serves every head; {@code slot = blockId * blockSize + offset}.
 */
public record KvCacheShape(int numLayers, int numBlocks, int blockSize, int numKvHeads, int headDim) {

    public KvCacheShape {
        positive(numLayers, "numLayers");
        positive(numBlocks, "numBlocks");
        positive(blockSize, "blockSize");
        positive(numKvHeads, "numKvHeads");
        positive(headDim, "headDim");
    }

    public static KvCacheShape forModel(ModelSpec spec, int numBlocks, int blockSize) {
        return new KvCacheShape(spec.numLayers(), numBlocks, blockSize, spec.numKvHeads(), spec.headDim());
    }

    /** Floats of one token in one layer for K (or for V). */
    public int tokenFloats() {
        return numKvHeads * headDim;
    }

    /** Floats of one block in one layer for K (or for V). */
    public long blockFloats() {
        return (long) blockSize * tokenFloats();
    }

    /** Bytes one block takes across all layers, K and V: what capacity planning divides memory by. */
    public long bytesPerBlock() {
        return 2L * numLayers * blockFloats() * Float.BYTES;
    }

    public long totalBytes() {
        return Math.multiplyExact(bytesPerBlock(), (long) numBlocks);
    }

    public long numSlots() {
        return (long) numBlocks * blockSize;
    }

    private static void positive(int value, String name) {
        if (value < 1) throw new IllegalArgumentException("KV cache " + name + " must be >= 1, got " + value);
    }
}
