package dev.pagoda.engine.model.ops;

/** Element-wise activations (transformers' {@code hidden_act} names in the comments). */
public enum Activation {
    /** {@code x / (1 + e^-x)} ("silu", Llama's SwiGLU gate). */
    SILU,
    /** {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))} ("gelu_pytorch_tanh", Gemma's GeGLU gate). */
    GELU_TANH,
    /** {@code 0.5·x·(1 + erf(x/√2))} ("gelu", GPT-NeoX's MLP). */
    GELU
}
