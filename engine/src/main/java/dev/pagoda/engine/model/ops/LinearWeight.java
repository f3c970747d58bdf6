package dev.pagoda.engine.model.ops;

import java.util.List;

/**
 * A declared projection {@code y = x·Wᵀ (+ b)}: one HF weight or several stacked on the output
 * axis ({@link Part}), in the backend's own form (the stored dtype read in place on the CPU, one
 * stacked bf16 matrix on CUDA).
 */
public interface LinearWeight {

    /** Short name for profiles and messages, e.g. "qkv", "down". */
    String label();

    int inFeatures();

    List<Part> parts();

    /** Output columns: the parts' rows summed. */
    default int outFeatures() {
        int n = 0;
        for (Part p : parts()) n += p.rows();
        return n;
    }

    default boolean hasBias() {
        for (Part p : parts()) if (p.bias() != null) return true;
        return false;
    }
}
