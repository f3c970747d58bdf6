package dev.pagoda.engine.model.ops;

import dev.pagoda.catalog.config.ModelSpec;
import java.util.Objects;

/**
 * Causal self-attention over the paged KV cache, as one layer of an architecture computes it:
 * {@code out[t, h] = Σ_j softmax_j(cap(q[t, h]·k[j, h/g]·scale))·v[j, h/g]} over the keys of
 * token t's sequence up to its position (the last {@code slidingWindow} of them when set), with
 * q and k rotated by {@code rope} when written. Layers of one model may differ (Gemma's
 * alternating local and global layers).
 *
 * @param numHeads      query heads, a multiple of numKvHeads (grouped-query attention)
 * @param numKvHeads    key/value heads
 * @param headDim       per-head size of q, k and v
 * @param scale         multiplies q·k; 1/sqrt(headDim) for most models
 * @param slidingWindow a query sees this many positions, itself included; 0 = all
 * @param logitSoftCap  scores become {@code cap·tanh(score/cap)} (Gemma 2); 0 = none
 * @param rope          the rotary embedding applied to q and k
 */
public record AttentionSpec(int numHeads, int numKvHeads, int headDim, float scale, int slidingWindow, float logitSoftCap,
                            RopeSpec rope) {

    public AttentionSpec {
        if (numHeads < 1 || numKvHeads < 1 || headDim < 1) {
            throw new IllegalArgumentException("attention heads and head_dim must be >= 1, got heads=" + numHeads
                    + " kvHeads=" + numKvHeads + " headDim=" + headDim);
        }
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads " + numHeads + " is not a multiple of num_key_value_heads " + numKvHeads);
        }
        if (!(scale > 0) || Float.isInfinite(scale)) throw new IllegalArgumentException("attention scale must be positive, got " + scale);
        if (slidingWindow < 0) throw new IllegalArgumentException("sliding window must be >= 0, got " + slidingWindow);
        if (!(logitSoftCap >= 0) || Float.isInfinite(logitSoftCap)) {
            throw new IllegalArgumentException("attention soft-cap must be >= 0 and finite, got " + logitSoftCap);
        }
        Objects.requireNonNull(rope, "attention needs a RoPE spec");
        if (rope.headDim() != headDim) throw new IllegalArgumentException("RoPE over heads of " + rope.headDim() + ", attention heads of " + headDim);
    }

    /** The Llama family's attention: the config's heads, 1/sqrt(headDim), its sliding window (Mistral), no soft-cap. */
    public static AttentionSpec of(ModelSpec spec, RopeSpec rope) {
        Integer window = spec.slidingWindow();
        return new AttentionSpec(spec.numHeads(), spec.numKvHeads(), spec.headDim(), defaultScale(spec.headDim()),
                window == null ? 0 : window, 0f, rope);
    }

    /** 1/sqrt(headDim), rounded to f32 once. */
    public static float defaultScale(int headDim) {
        return (float) (1.0 / Math.sqrt(headDim));
    }

    public int qDim() {
        return numHeads * headDim;
    }

    public int kvDim() {
        return numKvHeads * headDim;
    }

    /** Query heads sharing one KV head. */
    public int groupSize() {
        return numHeads / numKvHeads;
    }
}
