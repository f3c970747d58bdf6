package dev.pagoda.engine.backend.cpu;

import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.catalog.tensor.WeightSource;
import dev.pagoda.engine.backend.SourceWeights;
import dev.pagoda.engine.cpu.Embedding;
import dev.pagoda.engine.cpu.Linear;
import dev.pagoda.engine.cpu.Parallel;
import dev.pagoda.engine.cpu.TensorRows;
import dev.pagoda.engine.model.ops.EmbeddingWeight;
import dev.pagoda.engine.model.ops.LinearWeight;
import dev.pagoda.engine.model.ops.Norm;
import dev.pagoda.engine.model.ops.NormSpec;
import dev.pagoda.engine.model.ops.Part;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.function.Function;

/**
 * The CPU backend's weights: linear layers stay in their stored dtype (read in place from the
 * mapped file by the {@link Linear} kernels), one kernel per part of a fused projection; norm
 * weights and biases are decoded to f32 once, here.
 */
final class CpuWeights extends SourceWeights {

    /** A projection: one {@link Linear} per part, each part's f32 bias or null. */
    record CpuLinear(String label, int inFeatures, List<Part> parts, Linear[] kernels, MemorySegment[] biases)
            implements LinearWeight {}

    /** An embedding table in its stored dtype and its gather kernel. */
    record CpuEmbedding(TensorData table, Embedding kernel) implements EmbeddingWeight {
        @Override
        public int vocabSize() {
            return kernel.vocabSize();
        }

        @Override
        public int hiddenSize() {
            return Math.toIntExact(table.dim(1));
        }
    }

    /**
     * A norm's f32 weight (its {@link NormSpec#weightOffset()} added) and f32 bias or null.
     *
     * @param weight (dim) f32
     * @param bias   (dim) f32 or null
     */
    record CpuNorm(NormSpec spec, int dim, MemorySegment weight, MemorySegment bias) implements Norm {
        @Override
        public boolean hasBias() {
            return bias != null;
        }
    }

    private final Function<TensorData, Linear> linears;
    private final Parallel parallel;
    private final Arena arena;

    CpuWeights(WeightSource source, Function<TensorData, Linear> linears, Parallel parallel, Arena arena) {
        super(source);
        this.linears = linears;
        this.parallel = parallel;
        this.arena = arena;
    }

    @Override
    public EmbeddingWeight embedding(String name, int vocab, int hidden) {
        TensorData table = source.checkedTensor(name, vocab, hidden);
        return new CpuEmbedding(table, new Embedding(table, parallel));
    }

    @Override
    public LinearWeight linear(String label, int inFeatures, Part... parts) {
        Linear[] kernels = new Linear[parts.length];
        MemorySegment[] biases = new MemorySegment[parts.length];
        for (int i = 0; i < parts.length; i++) {
            kernels[i] = linears.apply(source.checkedTensor(parts[i].weight(), parts[i].rows(), inFeatures));
            if (parts[i].bias() != null) biases[i] = vector(parts[i].bias(), parts[i].rows());
        }
        return new CpuLinear(label, inFeatures, List.of(parts), kernels, biases);
    }

    @Override
    public LinearWeight tiedTo(EmbeddingWeight table, String label) {
        CpuEmbedding e = (CpuEmbedding) table;
        Linear kernel = linears.apply(e.table());
        return new CpuLinear(label, e.hiddenSize(), List.of(Part.of(label + " (tied)", e.vocabSize())), new Linear[] {kernel},
                new MemorySegment[1]);
    }

    @Override
    public Norm norm(NormSpec spec, String weight, String bias, int dim) {
        MemorySegment w = vector(weight, dim);
        if (spec.weightOffset() != 0f) {
            for (int i = 0; i < dim; i++) {
                w.setAtIndex(ValueLayout.JAVA_FLOAT, i, w.getAtIndex(ValueLayout.JAVA_FLOAT, i) + spec.weightOffset());
            }
        }
        return new CpuNorm(spec, dim, w, bias == null ? null : vector(bias, dim));
    }

    private MemorySegment vector(String name, int length) {
        return TensorRows.decodeAll(source.checkedTensor(name, length), arena);
    }
}
