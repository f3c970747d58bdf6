package dev.pagoda.engine.model.ops;

import java.util.Optional;

/**
 * Where a model file declares its parameters, by Hugging Face tensor name, in its constructor.
 * Each call checks the tensor's shape against what the model says (an error names the tensor,
 * its shape and the expected one) and returns a backend handle; the backend decides how it
 * stores it (read in place from the mapped file, decoded to f32, uploaded as bf16, stacked with
 * its fused siblings).
 */
public interface WeightLoader {

    /** A (vocab, hidden) token embedding table. */
    EmbeddingWeight embedding(String name, int vocab, int hidden);

    /**
     * A projection over {@code inFeatures} inputs: one {@link Part} or several stacked on the
     * output axis (fused QKV, gate-up). A part with a bias adds it.
     */
    LinearWeight linear(String label, int inFeatures, Part... parts);

    /** A projection over an embedding table (tied lm_head): {@code (vocab, hidden)}. */
    LinearWeight tiedTo(EmbeddingWeight table, String label);

    /** A norm layer over {@code dim} columns with its (dim) weight and no bias. */
    default Norm norm(NormSpec spec, String weight, int dim) {
        return norm(spec, weight, null, dim);
    }

    /** A norm layer with its (dim) weight and (dim) bias, or none when {@code bias} is null. */
    Norm norm(NormSpec spec, String weight, String bias, int dim);

    boolean has(String name);

    /** A small host-side constant (e.g. GGUF's {@code rope_freqs}) decoded to f32, if the weights carry it. */
    Optional<float[]> constants(String name, int length);
}
