package dev.pagoda.engine.cpu;

import java.lang.foreign.MemorySegment;

/**
 * Reshape-and-cache: copies each new token's K and V rows into its slot of the paged cache
 * before attention reads them. A slot of -1 marks a padding token and is skipped (vLLM's
 * convention), so a runner may pad a batch without touching the cache.
 */
public final class KvCacheWriter {

    private KvCacheWriter() {}

    /**
     * @param key         (tokens, kvHeads, headDim) f32, already rotated
     * @param value       (tokens, kvHeads, headDim) f32
     * @param slotMapping (tokens) cache slot of each token
     * @param layer       the layer's K and V cache
     */
    public static void write(MemorySegment key, MemorySegment value, int[] slotMapping, int tokens,
                             CacheLayer layer) {
        KvCacheShape shape = layer.shape();
        long rowBytes = (long) shape.tokenFloats() * Float.BYTES;
        FloatRows.requireFloats(key, (long) tokens * shape.tokenFloats(), "new keys");
        FloatRows.requireFloats(value, (long) tokens * shape.tokenFloats(), "new values");
        for (int t = 0; t < tokens; t++) {
            int slot = slotMapping[t];
            if (slot == -1) continue;
            if (slot < 0 || slot >= shape.numSlots()) {
                throw new IllegalArgumentException("slot " + slot + " of token " + t + " outside the KV cache [0, "
                        + shape.numSlots() + ")");
            }
            MemorySegment.copy(key, t * rowBytes, layer.keys(), slot * rowBytes, rowBytes);
            MemorySegment.copy(value, t * rowBytes, layer.values(), slot * rowBytes, rowBytes);
        }
    }
}
