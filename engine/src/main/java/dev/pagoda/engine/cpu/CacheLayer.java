package dev.pagoda.engine.cpu;

import java.lang.foreign.MemorySegment;

/**
 * One layer's view of the paged KV cache.
 *
 * @param shape  geometry shared by all layers
 * @param keys   (numBlocks, blockSize, kvHeads, headDim) f32
 * @param values (numBlocks, blockSize, kvHeads, headDim) f32
 */
public record CacheLayer(KvCacheShape shape, MemorySegment keys, MemorySegment values) {

    public CacheLayer {
        FloatRows.requireFloats(keys, shape.numSlots() * shape.tokenFloats(), "key cache");
        FloatRows.requireFloats(values, shape.numSlots() * shape.tokenFloats(), "value cache");
    }
}
