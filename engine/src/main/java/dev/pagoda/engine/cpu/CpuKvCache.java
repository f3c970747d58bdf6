package dev.pagoda.engine.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The KV tensors of the CPU backend: per layer one K and one V segment laid out
 * {@code [numBlocks, blockSize, kvHeads, headDim]} f32 (see {@link KvCacheShape}). The cache
 * manager hands out block ids; this class only stores what they address. Off-heap in a shared
 * arena because the worker threads of {@link Parallel} read it; {@link #close} frees it.
 */
public final class CpuKvCache implements AutoCloseable {

    private final KvCacheShape shape;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment[] keys; // per layer: (numBlocks, blockSize, kvHeads, headDim) f32
    private final MemorySegment[] values; // per layer: (numBlocks, blockSize, kvHeads, headDim) f32
    private final CacheLayer[] layers;

    public CpuKvCache(KvCacheShape shape) {
        this.shape = shape;
        this.keys = new MemorySegment[shape.numLayers()];
        this.values = new MemorySegment[shape.numLayers()];
        long layerBytes = Math.multiplyExact(shape.blockFloats() * Float.BYTES, (long) shape.numBlocks());
        try {
            for (int l = 0; l < shape.numLayers(); l++) {
                keys[l] = arena.allocate(layerBytes, 64);
                values[l] = arena.allocate(layerBytes, 64);
            }
        } catch (OutOfMemoryError e) {
            arena.close();
            throw new IllegalArgumentException("cannot allocate a KV cache of " + shape.numBlocks() + " blocks ("
                    + shape.totalBytes() + " bytes, " + shape.bytesPerBlock() + " per block): lower the block count", e);
        }
        this.layers = new CacheLayer[shape.numLayers()];
        for (int l = 0; l < layers.length; l++) layers[l] = new CacheLayer(shape, keys[l], values[l]);
    }

    /** Both tensors of one layer, as the attention kernels take them. */
    public CacheLayer layer(int layer) {
        return layers[checkLayer(layer)];
    }

    public KvCacheShape shape() {
        return shape;
    }

    public int numBlocks() {
        return shape.numBlocks();
    }

    public int blockSize() {
        return shape.blockSize();
    }

    public long bytesPerBlock() {
        return shape.bytesPerBlock();
    }

    /** (numBlocks, blockSize, kvHeads, headDim) f32 keys of one layer. */
    public MemorySegment keys(int layer) {
        return keys[checkLayer(layer)];
    }

    /** (numBlocks, blockSize, kvHeads, headDim) f32 values of one layer. */
    public MemorySegment values(int layer) {
        return values[checkLayer(layer)];
    }

    /** Copies block {@code src} onto block {@code dst} in every layer, K and V (copy-on-write). */
    public void copyBlock(int src, int dst) {
        checkBlock(src, "source");
        checkBlock(dst, "destination");
        long bytes = shape.blockFloats() * Float.BYTES;
        for (int l = 0; l < shape.numLayers(); l++) {
            MemorySegment.copy(keys[l], src * bytes, keys[l], dst * bytes, bytes);
            MemorySegment.copy(values[l], src * bytes, values[l], dst * bytes, bytes);
        }
    }

    private int checkLayer(int layer) {
        if (layer < 0 || layer >= keys.length) {
            throw new IllegalArgumentException("layer " + layer + " outside [0, " + keys.length + ")");
        }
        return layer;
    }

    private void checkBlock(int block, String role) {
        if (block < 0 || block >= shape.numBlocks()) {
            throw new IllegalArgumentException(role + " block " + block + " outside [0, " + shape.numBlocks() + ")");
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
