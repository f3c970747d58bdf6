package dev.pagoda.engine.backend.cpu;

import dev.pagoda.engine.model.ops.Precision;
import dev.pagoda.engine.model.ops.Rows;
import dev.pagoda.engine.model.ops.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A model's activation buffer on the CPU: f32 whatever its {@link Precision}, one off-heap
 * segment of {@code (capacity rows, width)} per column part, so a fused projection writes each
 * part row-major where the next kernel reads it. The step's logits tensor is bound to the
 * caller's buffer at each step ({@link #bind}).
 */
final class CpuTensor implements Tensor {

    private final String name;
    private final Rows rows;
    private final Precision precision;
    private final int[] parts;
    private final MemorySegment[] segments; // per part: (capacity rows, parts[i]) f32

    CpuTensor(String name, Rows rows, Precision precision, int[] parts, MemorySegment[] segments) {
        this.name = name;
        this.rows = rows;
        this.precision = precision;
        this.parts = parts.clone();
        this.segments = segments;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Rows rows() {
        return rows;
    }

    @Override
    public int cols() {
        int n = 0;
        for (int p : parts) n += p;
        return n;
    }

    @Override
    public int[] columnParts() {
        return parts.clone();
    }

    int numParts() {
        return parts.length;
    }

    int partWidth(int i) {
        return parts[i];
    }

    @Override
    public Precision precision() {
        return precision;
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
        return name + " (" + rows + ", " + Arrays.toString(parts) + ") f32";
    }
}
