package dev.pagoda.engine.model.ops;

/**
 * An activation buffer of a backend, as a model file sees it: an opaque handle of shape
 * {@code (rows, cols)} whose rows are the step's token rows ({@link Rows#TOKENS}) or its sampled
 * rows ({@link Rows#SAMPLED}). The backend sized it for its largest step when the model declared
 * it ({@link ModelOps#tensor}); where it lives (an off-heap f32 segment, a bf16 device buffer)
 * and how its columns are stored is the backend's business.
 */
public interface Tensor {

    /** For messages: the name the model declared it with. */
    String name();

    Rows rows();

    /** Columns: the sum of {@link #columnParts()}. */
    int cols();

    /**
     * The column blocks it was declared with, e.g. {@code [q, k, v]} widths for the output of a
     * fused QKV projection; one entry for a plain tensor.
     */
    int[] columnParts();

    Precision precision();
}
