package dev.pagoda.engine.backend.cpu;

import dev.pagoda.engine.model.ops.Tensor;
import dev.pagoda.engine.model.ops.TensorLayout;
import java.lang.foreign.MemorySegment;

/**
 * A model's activation buffer on the CPU: f32 whatever its precision, one off-heap segment of
 * {@code (capacity rows, width)} per column part, so a fused projection writes each part
 * row-major where the next kernel reads it. The step's logits tensor is bound to the caller's
 * buffer at each step ({@link #bind}).
 */
final class CpuTensor implements Tensor {

    private final TensorLayout layout;
    private final MemorySegment[] segments; // per part: (capacity rows, partWidth(i)) f32

    CpuTensor(TensorLayout layout, MemorySegment[] segments) {
        this.layout = layout;
        this.segments = segments;
    }

    @Override
    public TensorLayout layout() {
        return layout;
    }

    int numParts() {
        return layout.numParts();
    }

    int partWidth(int i) {
        return layout.partWidth(i);
    }

    /** Part {@code i}'s (rows, partWidth(i)) f32 segment; read when a step runs, since a bound tensor changes per step. */
    MemorySegment part(int i) {
        return segments[i];
    }

    /** The one segment of a single-part tensor. */
    MemorySegment segment() {
        return segments[0];
    }

    /** Points this (single-part) tensor at {@code segment} for the coming step: the caller's logits buffer. */
    void bind(MemorySegment segment) {
        segments[0] = segment;
    }

    @Override
    public String toString() {
        return layout + " f32";
    }
}
