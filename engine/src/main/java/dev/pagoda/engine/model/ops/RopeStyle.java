package dev.pagoda.engine.model.ops;

/** Which dimensions of a head RoPE rotates together. */
public enum RopeStyle {
    /**
     * transformers' {@code rotate_half} (GPT-NeoX style): dimension i pairs with i + rotaryDim/2.
     * Every weight source presents Llama-family q/k rows in this layout (GGUF readers undo
     * llama.cpp's permutation).
     */
    ROTATE_HALF,
    /** GPT-J style: dimensions 2i and 2i + 1 form a pair. */
    INTERLEAVED
}
