package dev.pagoda.engine.backend.cpu;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.catalog.tensor.WeightSource;
import dev.pagoda.engine.cpu.CpuKvCache;
import dev.pagoda.engine.cpu.KvCacheShape;
import dev.pagoda.engine.cpu.Linear;
import dev.pagoda.engine.cpu.Parallel;
import dev.pagoda.engine.model.ForwardBatch;
import dev.pagoda.engine.model.ModelOptions;
import dev.pagoda.engine.model.ops.AttentionSpec;
import dev.pagoda.engine.model.ops.ModelDefinition;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.Function;

/**
 * A model definition on the CPU: its weights ({@link CpuWeights}), its f32 buffers sized for
 * {@link ModelOptions#maxTokens} at construction, and its forward pass recorded once
 * ({@link CpuOps#record}) into the kernel calls {@link #forward} runs for all T tokens of a
 * flattened batch at once, so each weight matrix is streamed once per step whatever the mix of
 * prefill chunks and decodes. A step allocates nothing but a small attention view. Not
 * thread-safe: the engine loop owns it.
 */
public final class CpuModel implements AutoCloseable {

    private final ModelSpec spec;
    private final ModelOptions options;
    private final Arena arena;
    private final List<CpuOps.Op> plan;
    private final CpuTensor logits;
    private final AttentionSpec cacheLayout; // the KV layout every attention layer shares
    private final int numCacheLayers;

    private CpuModel(ModelSpec spec, ModelOptions options, Arena arena, List<CpuOps.Op> plan, CpuTensor logits,
                     AttentionSpec cacheLayout, int numCacheLayers) {
        this.spec = spec;
        this.options = options;
        this.arena = arena;
        this.plan = plan;
        this.logits = logits;
        this.cacheLayout = cacheLayout;
        this.numCacheLayers = numCacheLayers;
    }

    /**
     * Declares {@code architecture}'s model over HF-named tensors and records its forward pass;
     * linear layers come from {@code linears} (the Vector-API kernels in production).
     *
     * @throws IllegalArgumentException naming the tensor when one is missing or misshapen, or the
     *                                  operation the CPU backend cannot run
     */
    public static CpuModel load(WeightSource weights, ModelDefinition.Factory architecture, Function<TensorData, Linear> linears,
                                ModelOptions options, Parallel parallel) {
        Arena arena = Arena.ofShared(); // the kernels' worker threads read and write the buffers
        try {
            CpuOps ops = new CpuOps(weights, linears, options, parallel, arena);
            ModelDefinition model = architecture.create(weights.spec(), ops);
            List<CpuOps.Op> plan = ops.record(model);
            var layers = ops.attentionLayers();
            if (layers.isEmpty()) throw new IllegalArgumentException("the model declared no attention layers");
            return new CpuModel(weights.spec(), options, arena, plan, ops.logitsTensor(), layers.getFirst().spec(), layers.size());
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public ModelSpec spec() {
        return spec;
    }

    public ModelOptions options() {
        return options;
    }

    /** Logit columns per row. */
    public int vocabSize() {
        return logits.cols();
    }

    /** The cache this model's attention layers read and write, for {@code numBlocks} blocks of {@code blockSize}. */
    public KvCacheShape kvCacheShape(int numBlocks, int blockSize) {
        return new KvCacheShape(numCacheLayers, numBlocks, blockSize, cacheLayout.numKvHeads(), cacheLayout.headDim());
    }

    /**
     * Runs one step: writes every token's K/V into its slot, attends through the block tables
     * and writes logits for {@code batch.logitRows()}.
     *
     * @param logitsOut (logitRows.length, vocab) f32, row i for token row logitRows[i]
     */
    public void forward(ForwardBatch batch, CpuKvCache cache, MemorySegment logitsOut) {
        CpuStep step = CpuStep.of(batch, cache);
        checkStep(step, logitsOut);
        logits.bind(logitsOut);
        for (CpuOps.Op op : plan) op.run(step);
    }

    private void checkStep(CpuStep step, MemorySegment logitsOut) {
        ForwardBatch batch = step.batch();
        CpuKvCache cache = step.cache();
        if (batch.numTokens() > options.maxTokens()) {
            throw new IllegalArgumentException("batch has " + batch.numTokens() + " tokens, the model was sized for "
                    + options.maxTokens() + " (maxTokens)");
        }
        if (cache.shape().numLayers() != numCacheLayers || cache.shape().numKvHeads() != cacheLayout.numKvHeads()
                || cache.shape().headDim() != cacheLayout.headDim()) {
            throw new IllegalArgumentException("KV cache " + cache.shape() + " does not fit the model (" + numCacheLayers
                    + " layers, " + cacheLayout.numKvHeads() + " KV heads of " + cacheLayout.headDim() + ")");
        }
        long needed = (long) batch.logitRows().length * vocabSize() * Float.BYTES;
        if (logitsOut.byteSize() < needed) {
            throw new IllegalArgumentException("logits buffer holds " + logitsOut.byteSize() + " bytes, "
                    + batch.logitRows().length + " rows of " + vocabSize() + " f32 need " + needed);
        }
        step.attention().checkAgainst(cache.shape());
        int blockSize = cache.blockSize();
        for (int s = 0; s < batch.numSeqs(); s++) {
            if (batch.contextLens()[s] > options.maxModelLen()) {
                throw new IllegalArgumentException("sequence " + s + " holds " + batch.contextLens()[s]
                        + " tokens, more than maxModelLen " + options.maxModelLen());
            }
            // A slot that disagrees with the block table would put K/V where attention never looks.
            int[] table = batch.blockTables()[s];
            for (int row = batch.queryStart()[s]; row < batch.queryStart()[s + 1]; row++) {
                int pos = batch.positions()[row];
                int slot = batch.slotMapping()[row];
                if (slot == -1) continue; // padding
                long expected = (long) table[pos / blockSize] * blockSize + pos % blockSize;
                if (slot != expected) {
                    throw new IllegalArgumentException("sequence " + s + ": token row " + row + " (position " + pos
                            + ") maps to slot " + slot + " but its block table puts it at slot " + expected);
                }
            }
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
