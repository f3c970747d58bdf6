package dev.pagoda.catalog.tensor;

import dev.pagoda.catalog.config.ModelSpec;
import java.util.Set;

/**
 * A model's weights by canonical HF tensor name, whatever the file format. GGUF sources rename
 * {@code blk.N.attn_q.weight} to {@code model.layers.N.self_attn.q_proj.weight} and undo
 * llama.cpp's q/k row permutation, so every source presents the HF layout (rotate-half RoPE).
 * Closing releases the mappings; tensors must not be used afterwards.
 */
public interface WeightSource extends AutoCloseable {

    ModelSpec spec();

    Set<String> tensorNames();

    /** @throws IllegalArgumentException naming the tensor and the source when it is absent */
    TensorData tensor(String name);

    default boolean has(String name) {
        return tensorNames().contains(name);
    }

    @Override
    void close();
}
