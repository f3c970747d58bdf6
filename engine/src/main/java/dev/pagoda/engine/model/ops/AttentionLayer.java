package dev.pagoda.engine.model.ops;

/**
 * A declared self-attention layer: its {@link AttentionSpec}, its per-layer weights (q/k norms)
 * and its own layer of the paged KV cache. Layers get cache layers in the order they are
 * declared.
 */
public interface AttentionLayer {

    AttentionSpec spec();

    /** This layer's index in the KV cache: 0 for the first declared. */
    int cacheLayer();
}
