package dev.pagoda.catalog.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One stored tensor as a view over its bytes (usually a slice of a memory-mapped file, never a
 * heap copy). Shapes are in row-major (PyTorch/HF) order: a linear layer's weight is
 * {@code [outFeatures, inFeatures]}, whatever order the file format uses on disk.
 *
 * @param name  canonical (HF) tensor name, e.g. {@code model.layers.0.self_attn.q_proj.weight}
 * @param dtype element type
 * @param shape dimensions, outermost first
 * @param data  exactly {@code dtype.bytesFor(elementCount())} bytes, little-endian
 */
public record TensorData(String name, DType dtype, long[] shape, MemorySegment data) {

    public TensorData {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long elementCount() {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i];
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
