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

    /**
     * The tensor, checked to have {@code shape} (what the model's config implies).
     *
     * @throws IllegalArgumentException naming the tensor, its shape and the expected one
     */
    default TensorData checkedTensor(String name, long... shape) {
        TensorData t = tensor(name);
        if (!java.util.Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(name + ": shape " + java.util.Arrays.toString(t.shape())
                    + " does not match the model config, expected " + java.util.Arrays.toString(shape));
        }
        return t;
    }

    default boolean has(String name) {
        return tensorNames().contains(name);
    }

    @Override
    void close();
}
