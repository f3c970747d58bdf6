package dev.pagoda.engine.backend.cuda;

import dev.pagoda.engine.cuda.DeviceBuffer;
import dev.pagoda.engine.model.ops.Precision;
import dev.pagoda.engine.model.ops.Tensor;
import dev.pagoda.engine.model.ops.TensorLayout;
import java.lang.foreign.MemorySegment;

/**
 * A model's activation buffer on the device: {@code (capacity rows, cols)} row-major, f32 for
 * {@link Precision#FULL} and bf16 for {@link Precision#COMPACT}, its column parts side by side
 * in each row (a fused projection's one GEMM writes them so). Allocated when the model is
 * allocated, never during a step.
 */
final class CudaTensor implements Tensor {

    private final TensorLayout layout;
    private final long capacityRows;
    private DeviceBuffer buffer;

    CudaTensor(TensorLayout layout, long capacityRows) {
        this.layout = layout;
        this.capacityRows = capacityRows;
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

    /** Bytes per element: 4 (f32) or 2 (bf16). */
    int elementBytes() {
        return layout.precision() == Precision.FULL ? 4 : 2;
    }

    long bytes() {
        return capacityRows * cols() * elementBytes();
    }

    void allocate(DeviceBuffer buffer) {
        if (this.buffer != null) throw new IllegalStateException(name() + " allocated twice");
        this.buffer = buffer;
    }

    /** Copies {@code host} to the start of the buffer (constants such as RoPE frequencies, at allocation). */
    void upload(MemorySegment host) {
        buffer.upload(host);
    }

    void free() {
        if (buffer != null) buffer.close();
        buffer = null;
    }

    /** Device address of row 0. */
    long address() {
        if (buffer == null) throw new IllegalStateException(name() + " used before the model was allocated");
        return buffer.address();
    }

    @Override
    public String toString() {
        return layout + (elementBytes() == 4 ? " f32" : " bf16");
    }
}
