package dev.pagoda.engine.backend.cuda;

import dev.pagoda.engine.cuda.CudaDevice;
import dev.pagoda.engine.cuda.DeviceBuffer;

/**
 * The paged KV cache on the device: one pool for K and one for V, each
 * {@code [layer][block][slotInBlock][kvHead][headDim]} bf16 — the CPU cache's layout per layer, so
 * one block-table lookup serves every head and a token's K row for all heads is contiguous.
 * Never cleared: a slot is written before any attention reads it.
 */
final class KvPool implements AutoCloseable {

    private final DeviceBuffer keys;
    private final DeviceBuffer values;
    private final long layerBytes;
    private final long blockBytes;

    /** @param kvDim KV heads × head dim of every layer */
    KvPool(CudaDevice device, int numLayers, int kvDim, int numBlocks, int blockSize) {
        this.blockBytes = 2L * blockSize * kvDim;
        this.layerBytes = blockBytes * numBlocks;
        this.keys = device.allocate(layerBytes * numLayers);
        try {
            this.values = device.allocate(layerBytes * numLayers);
        } catch (RuntimeException e) {
            keys.close();
            throw e;
        }
    }

    long keys() {
        return keys.address();
    }

    long values() {
        return values.address();
    }

    long keys(int layer) {
        return keys.address() + layer * layerBytes;
    }

    long values(int layer) {
        return values.address() + layer * layerBytes;
    }

    long layerBytes() {
        return layerBytes;
    }

    long blockBytes() {
        return blockBytes;
    }

    long bytes() {
        return keys.bytes() + values.bytes();
    }

    @Override
    public void close() {
        keys.close();
        values.close();
    }
}
