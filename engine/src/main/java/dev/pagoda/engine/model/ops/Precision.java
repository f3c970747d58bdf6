package dev.pagoda.engine.model.ops;

/**
 * What a {@link Tensor}'s values need. The model says which of its buffers need full precision;
 * the backend maps this onto its types (the CPU keeps everything in f32; CUDA keeps
 * {@link #COMPACT} activations in bf16, as the GEMMs read them).
 */
public enum Precision {
    /** f32 on every backend: the residual stream, pre-RoPE q/k/v, logits. */
    FULL,
    /** The backend's activation type: normed inputs of linear layers, attention and MLP outputs. */
    COMPACT
}
