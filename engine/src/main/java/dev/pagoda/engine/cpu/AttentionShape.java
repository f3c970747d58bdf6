package dev.pagoda.engine.cpu;

import dev.pagoda.catalog.config.ModelSpec;

/**
 * Head layout of a model's attention.
 *
 * @param numHeads      query heads; a multiple of numKvHeads (grouped-query attention)
 * @param numKvHeads    key/value heads
 * @param headDim       size of each head
 * @param slidingWindow a query sees only the last {@code slidingWindow} positions, itself
 *                      included (Mistral); 0 for full causal attention
 */
public record AttentionShape(int numHeads, int numKvHeads, int headDim, int slidingWindow) {

    public AttentionShape {
        if (numHeads < 1 || numKvHeads < 1 || headDim < 1) {
            throw new IllegalArgumentException("attention heads and head_dim must be >= 1, got heads=" + numHeads
                    + " kvHeads=" + numKvHeads + " headDim=" + headDim);
        }
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads " + numHeads
                    + " is not a multiple of num_key_value_heads " + numKvHeads);
        }
        if (slidingWindow < 0) throw new IllegalArgumentException("sliding window must be >= 0, got " + slidingWindow);
    }

    public static AttentionShape of(ModelSpec spec) {
        Integer window = spec.slidingWindow();
        return new AttentionShape(spec.numHeads(), spec.numKvHeads(), spec.headDim(), window == null ? 0 : window);
    }

    /** Query heads sharing one KV head. */
    public int groupSize() {
        return numHeads / numKvHeads;
    }
}
