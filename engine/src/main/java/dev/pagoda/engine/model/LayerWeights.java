package dev.pagoda.engine.model;

import dev.pagoda.engine.cpu.Linear;
import java.lang.foreign.MemorySegment;

/**
 * One decoder layer's weights. Linear layers stay in their stored dtype behind {@link Linear};
 * the small vectors (norm weights, biases) are decoded to f32 once at load.
 *
 * @param inputNorm (hidden) f32, before attention
 * @param attention projections, biases, q/k norms
 * @param postNorm  (hidden) f32, before the MLP
 * @param mlp       gate/up/down projections
 */
record LayerWeights(MemorySegment inputNorm, Attention attention, MemorySegment postNorm, Mlp mlp) {

    /**
     * @param q      (numHeads*headDim, hidden)
     * @param k      (numKvHeads*headDim, hidden)
     * @param v      (numKvHeads*headDim, hidden)
     * @param o      (hidden, numHeads*headDim)
     * @param bias   q/k/v biases (Qwen2), null when the model has none
     * @param qkNorm per-head q/k RMSNorm weights (Qwen3), null when the model has none
     */
    record Attention(Linear q, Linear k, Linear v, Linear o, QkvBias bias, QkNorm qkNorm) {}

    /**
     * @param q (numHeads*headDim) f32
     * @param k (numKvHeads*headDim) f32
     * @param v (numKvHeads*headDim) f32
     */
    record QkvBias(MemorySegment q, MemorySegment k, MemorySegment v) {}

    /**
     * @param q (headDim) f32
     * @param k (headDim) f32
     */
    record QkNorm(MemorySegment q, MemorySegment k) {}

    /**
     * @param gate (intermediate, hidden)
     * @param up   (intermediate, hidden)
     * @param down (hidden, intermediate)
     */
    record Mlp(Linear gate, Linear up, Linear down) {}
}
