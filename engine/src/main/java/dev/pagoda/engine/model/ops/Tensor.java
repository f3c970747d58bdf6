package dev.pagoda.engine.model.ops;

/**
 * An activation buffer of a backend, as a model file sees it: an opaque handle of shape
 * {@code (rows, cols)} whose rows are the step's token rows ({@link Rows#TOKENS}) or its sampled
 * rows ({@link Rows#SAMPLED}). The backend sized it for its largest step when the model declared
 * it ({@link ModelOps#tensor}); where it lives (an off-heap f32 segment, a bf16 device buffer)
 * and how its columns are stored is the backend's business.
 */
public interface Tensor {

    /** How the model declared it. */
    TensorLayout layout();

    /** For messages: the name the model declared it with. */
    default String name() {
        return layout().name();
    }

    default Rows rows() {
        return layout().rows();
    }

    /** Columns: the sum of the column parts. */
    default int cols() {
        return layout().cols();
    }

    default Precision precision() {
        return layout().precision();
    }
}
