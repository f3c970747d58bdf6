package dev.pagoda.engine.backend.cuda;

import dev.pagoda.catalog.quant.Dequantize;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.catalog.tensor.WeightSource;
import dev.pagoda.engine.backend.SourceWeights;
import dev.pagoda.engine.cuda.Bf16;
import dev.pagoda.engine.cuda.CudaDevice;
import dev.pagoda.engine.cuda.DeviceBuffer;
import dev.pagoda.engine.model.ops.EmbeddingWeight;
import dev.pagoda.engine.model.ops.LinearWeight;
import dev.pagoda.engine.model.ops.Norm;
import dev.pagoda.engine.model.ops.NormSpec;
import dev.pagoda.engine.model.ops.Part;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's weights on the device, bf16, in one allocation. Declaring a weight checks its shape
 * and reserves its place; {@link #upload} allocates once and copies everything. The parts of a
 * fused projection are stacked into one {@code (sum of rows, in)} matrix (and their biases into
 * one vector), so the Llama family's layer costs four GEMMs instead of seven. BF16 sources are
 * copied as they are; any other dtype the catalog decodes (F32, F16, Q8_0, K-quants …) is
 * decoded on the host and rounded to bf16 (round to nearest even).
 */
final class CudaWeights extends SourceWeights implements AutoCloseable {

    private static final long ALIGN = 256;

    /** A projection: (outFeatures, inFeatures) bf16 at {@code offset}; its stacked (outFeatures) bias at {@code biasOffset}, or -1. */
    record CudaLinear(String label, int inFeatures, List<Part> parts, CudaWeights store, long offset, long biasOffset)
            implements LinearWeight {
        long address() {
            return store.address(offset);
        }

        /** The stacked bias's device address, 0 without one. */
        long biasAddress() {
            return biasOffset < 0 ? 0 : store.address(biasOffset);
        }
    }

    /** A (vocab, hidden) bf16 table at {@code offset}. */
    record CudaEmbedding(int vocabSize, int hiddenSize, CudaWeights store, long offset) implements EmbeddingWeight {
        long address() {
            return store.address(offset);
        }
    }

    /** A (dim) bf16 RMSNorm weight at {@code offset}. */
    record CudaNorm(NormSpec spec, int dim, CudaWeights store, long offset) implements Norm {
        @Override
        public boolean hasBias() {
            return false;
        }

        long address() {
            return store.address(offset);
        }
    }

    /** A tensor to copy at upload: (rows, rowLength) elements to bf16 at {@code offset}. */
    private record Upload(String name, long offset, long[] shape) {}

    private final List<Upload> uploads = new ArrayList<>();
    private long total;
    private DeviceBuffer storage;

    CudaWeights(WeightSource source) {
        super(source);
    }

    @Override
    public EmbeddingWeight embedding(String name, int vocab, int hidden) {
        return new CudaEmbedding(vocab, hidden, this, place(take((long) vocab * hidden), name, vocab, hidden));
    }

    @Override
    public LinearWeight linear(String label, int inFeatures, Part... parts) {
        long rows = 0;
        int biased = 0;
        for (Part p : parts) {
            rows += p.rows();
            if (p.bias() != null) biased++;
        }
        if (biased != 0 && biased != parts.length) {
            throw new IllegalArgumentException(label + ": the CUDA backend stacks biases of every part or of none; "
                    + biased + " of " + parts.length + " parts have one");
        }
        long offset = take(rows * inFeatures);
        long biasOffset = biased == 0 ? -1 : take(rows);
        long row = 0;
        for (Part p : parts) {
            place(offset + 2 * row * inFeatures, p.weight(), p.rows(), inFeatures);
            if (p.bias() != null) place(biasOffset + 2 * row, p.bias(), p.rows());
            row += p.rows();
        }
        return new CudaLinear(label, inFeatures, List.of(parts), this, offset, biasOffset);
    }

    @Override
    public LinearWeight tiedTo(EmbeddingWeight table, String label) {
        CudaEmbedding e = (CudaEmbedding) table;
        return new CudaLinear(label, e.hiddenSize(), List.of(Part.of(label + " (tied)", e.vocabSize())), this, e.offset(), -1);
    }

    @Override
    public Norm norm(NormSpec spec, String weight, String bias, int dim) {
        if (spec.kind() != NormSpec.Kind.RMS || spec.weightOffset() != 0f || bias != null) {
            throw new IllegalArgumentException(weight + ": " + spec + (bias == null ? "" : " with a bias")
                    + " is not implemented on the CUDA backend yet (its RMSNorm kernel has no offset, mean or bias)");
        }
        return new CudaNorm(spec, dim, this, place(take(dim), weight, dim));
    }

    /** Allocates the device buffer and copies every declared tensor into it. */
    void upload(CudaDevice device) {
        if (storage != null) throw new IllegalStateException("weights uploaded already");
        storage = device.allocate(Math.max(total, ALIGN));
        try {
            for (Upload u : uploads) put(u);
        } catch (RuntimeException e) {
            storage.close();
            storage = null;
            throw e;
        }
    }

    /** Bytes the declared weights will occupy once uploaded (256-byte aligned each). */
    long declaredBytes() {
        return total;
    }

    /** Device bytes the weights occupy. */
    long bytes() {
        return storage == null ? 0 : storage.bytes();
    }

    private long address(long offset) {
        if (storage == null) throw new IllegalStateException("weights read before upload");
        return storage.address() + offset;
    }

    /** Reserves {@code elements} bf16, 256-byte aligned (cuBLAS and 16-byte vector loads like that). */
    private long take(long elements) {
        long at = total;
        total = Math.ceilDiv(total + 2 * elements, ALIGN) * ALIGN;
        return at;
    }

    /** Checks the tensor's shape now and queues its copy to {@code offset}. */
    private long place(long offset, String name, long... shape) {
        source.checkedTensor(name, shape);
        uploads.add(new Upload(name, offset, shape));
        return offset;
    }

    private static final int CHUNK_ELEMENTS = 1 << 22;

    /** Copies one HF-named tensor into the buffer as bf16, decoding on the host when it is stored otherwise. */
    private void put(Upload u) {
        TensorData t = source.checkedTensor(u.name(), u.shape());
        long n = t.elementCount();
        if (t.dtype() == DType.BF16) {
            storage.upload(t.data().asSlice(0, 2 * n), u.offset());
            return;
        }
        if (!Dequantize.canDecode(t.dtype())) {
            throw new IllegalArgumentException(u.name() + ": the CUDA backend cannot decode " + t.dtype() + " weights");
        }
        long rowLength = u.shape()[u.shape().length - 1];
        long rowBytes = t.dtype().bytesFor((int) rowLength);
        long rows = n / rowLength;
        int rowsPerChunk = (int) Math.max(1, CHUNK_ELEMENTS / rowLength);
        float[] floats = new float[(int) (rowsPerChunk * rowLength)];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment staging = arena.allocate(2L * floats.length, 2);
            for (long r0 = 0; r0 < rows; r0 += rowsPerChunk) {
                int count = (int) Math.min(rowsPerChunk, rows - r0);
                for (int r = 0; r < count; r++) {
                    Dequantize.row(t.dtype(), t.data(), (r0 + r) * rowBytes, floats, (int) (r * rowLength), (int) rowLength);
                }
                int elements = (int) (count * rowLength);
                for (int i = 0; i < elements; i++) staging.setAtIndex(ValueLayout.JAVA_SHORT, i, Bf16.bits(floats[i]));
                storage.upload(staging.asSlice(0, 2L * elements), u.offset() + 2 * r0 * rowLength);
            }
        }
    }

    @Override
    public void close() {
        if (storage != null) storage.close();
    }
}
