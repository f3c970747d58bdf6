package dev.pagoda.engine.backend.cuda;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.tensor.WeightSource;
import dev.pagoda.engine.cuda.Cublas;
import dev.pagoda.engine.cuda.CudaDevice;
import dev.pagoda.engine.cuda.CudaStream;
import dev.pagoda.engine.cuda.CudaTimeline;
import dev.pagoda.engine.cuda.DeviceBuffer;
import dev.pagoda.engine.cuda.kernels.CudaKernels;
import dev.pagoda.engine.model.ops.AttentionSpec;
import dev.pagoda.engine.model.ops.ModelDefinition;
import java.util.List;

/**
 * A model definition on a GPU: its bf16 weights, its device buffers (every one sized for the
 * largest step, {@code maxTokens} and {@code maxSeqs}) and its forward pass recorded once by
 * {@link CudaOps} into launches over one flattened batch. For the Llama family that is
 *
 * <pre>
 *   x = embed(tokens)                                   f32 (T, D): the residual stream
 *   per layer:  h = rmsnorm(x)                          bf16 (T, D)
 *               qkv = h·Wqkvᵀ                           f32 (T, qDim + 2·kvDim), one GEMM
 *               q, cache[slot] = rope(norm(qkv + b))    one kernel: bias, q/k norm, RoPE, K/V write
 *               a = paged_attention(q, cache)           decode kernel (1 query row) + prefill tiles
 *               x += a·Woᵀ                              GEMM with beta = 1: the residual add is free
 *               h = rmsnorm(x)
 *               g = h·Wguᵀ                              bf16 (T, 2I), one GEMM
 *               x += (silu(g_gate) · g_up)·Wdᵀ          kernel + GEMM with beta = 1
 *   logits = rmsnorm(x)[logitRows]·Wlmᵀ                 f32 (R, V), only the sampled rows
 * </pre>
 *
 * followed by the device sampler. A step allocates no device memory and synchronises nothing,
 * so a CUDA graph may capture the launches of a decode step.
 */
public final class CudaModel implements AutoCloseable {

    /** Sizes fixed at start-up. */
    public record Limits(int maxTokens, int maxSeqs, int maxModelLen, int blockSize, int maxCopies) {}

    private final ModelSpec spec;
    private final Limits limits;
    private final CudaDevice device;
    private final CudaStream stream;
    private final CudaKernels kernels;
    private final CudaOps ops;
    private final List<CudaOps.Launch> plan;
    private final CudaOps.StepShape shape = new CudaOps.StepShape();
    private final CudaTensor logits; // (maxSeqs, V) f32
    private final DeviceBuffer outTokens; // (maxSeqs) int32 sampled ids
    private final AttentionSpec cacheLayout; // the K/V layout every attention layer shares
    private final int numCacheLayers;

    final StepInputs inputs;
    private KvPool kv;

    /**
     * Declares {@code architecture}'s model over {@code source}, records its forward pass (an
     * operation the backend cannot run is refused here, before any upload), then uploads the
     * weights and allocates every buffer but the KV cache.
     */
    public CudaModel(CudaDevice device, CudaKernels kernels, Cublas blas, WeightSource source, ModelDefinition.Factory architecture,
                     Limits limits) {
        this.spec = source.spec();
        this.limits = limits;
        this.device = device;
        this.stream = device.defaultStream();
        this.kernels = kernels;
        int maxBlocksPerSeq = Math.ceilDiv(limits.maxModelLen(), limits.blockSize());
        this.inputs = new StepInputs(device, limits.maxTokens(), limits.maxSeqs(), maxBlocksPerSeq, CudaKernels.prefillTileRows(),
                limits.maxCopies(), spec.vocabSize());
        CudaOps declared = null;
        DeviceBuffer sampled = null;
        try {
            declared = new CudaOps(device, kernels, blas, source, limits, inputs);
            ModelDefinition model = architecture.create(spec, declared);
            this.plan = declared.record(model);
            List<CudaAttention> layers = declared.attentionLayers();
            if (layers.isEmpty()) throw new IllegalArgumentException("the model declared no attention layers");
            this.cacheLayout = layers.getFirst().spec();
            this.numCacheLayers = layers.size();
            this.logits = declared.logitsTensor();
            declared.allocate();
            sampled = device.allocate(Math.max(256, 4L * limits.maxSeqs()));
        } catch (RuntimeException | Error e) {
            if (declared != null) declared.close();
            inputs.close();
            throw e;
        }
        this.ops = declared;
        this.outTokens = sampled;
    }

    /** K and V pools for {@code numBlocks} blocks; allocated after the profiling of everything else. */
    public void allocateKvCache(int numBlocks) {
        if (kv != null) throw new IllegalStateException("KV cache already allocated");
        kv = new KvPool(device, numCacheLayers, cacheLayout.kvDim(), numBlocks, limits.blockSize());
        ops.useKvPool(kv);
    }

    /** Bytes of K and V of all layers for one block (bf16). */
    public long kvBytesPerBlock() {
        return 2L * numCacheLayers * limits.blockSize() * cacheLayout.kvDim() * 2;
    }

    public Limits limits() {
        return limits;
    }

    public ModelSpec spec() {
        return spec;
    }

    /** Logit columns per row. */
    public int vocabSize() {
        return logits.cols();
    }

    long outTokens() {
        return outTokens.address();
    }

    long logits() {
        return logits.address();
    }

    void makeDeviceCurrent() {
        device.makeCurrent();
    }

    CudaStream stream() {
        return stream;
    }

    /** Replaces the step's placeholder token ids by the ids the previous step sampled (see StepInputs.feedRows). */
    void fillPendingTokens(int tokens) {
        kernels.fillPendingTokens(stream, inputs.at(inputs.tokenIds), inputs.at(inputs.feedRows), outTokens(), tokens);
    }

    /** Copy-on-write block copies queued before the step's K/V writes. */
    void copyBlocks(int count) {
        if (count == 0) return;
        kernels.copyBlocks(stream, kv.keys(), kv.values(), inputs.at(inputs.copyPairs), count, numCacheLayers, kv.layerBytes(),
                kv.blockBytes());
    }

    /**
     * Queues one forward pass and the device sampling of its {@code rows} logit rows.
     *
     * @param tokens     T rows in the batch
     * @param numDecode  sequences in the decode list (one query row each)
     * @param numTiles   prefill tiles
     * @param rows       R logit rows
     */
    void forward(int tokens, int numDecode, int numTiles, int rows) {
        forward(tokens, numDecode, numTiles, rows, null);
    }

    /** As {@link #forward(int, int, int, int)}, marking each operation on {@code timeline} when not null (profiling). */
    void forward(int tokens, int numDecode, int numTiles, int rows, CudaTimeline timeline) {
        CudaStream s = stream;
        if (timeline != null) timeline.mark("start", s);
        shape.tokens = tokens;
        shape.numDecode = numDecode;
        shape.numTiles = numTiles;
        shape.rows = rows;
        for (CudaOps.Launch launch : plan) {
            if (!launch.runs(shape)) continue;
            launch.launch(shape);
            if (timeline != null) timeline.mark(launch.label(), s);
        }
        if (rows == 0) return;
        kernels.sample(s, new CudaKernels.SamplingBatch(logits(), rows, vocabSize(), inputs.at(inputs.temperature),
                inputs.at(inputs.topK), inputs.at(inputs.topP), inputs.at(inputs.minP), inputs.at(inputs.seeds),
                inputs.at(inputs.counters), inputs.at(inputs.maskRows), inputs.maskWords(), inputs.maskStride, outTokens()));
        if (timeline != null) timeline.mark("sample", s);
    }

    /** Device bytes of the weights. */
    public long weightBytes() {
        return ops.weightStore().bytes();
    }

    /** Device memory this model holds besides the weights and the KV cache: activations, workspaces, step inputs. */
    public long activationBytes() {
        return ops.activationBytes() + outTokens.bytes();
    }

    public long kvBytes() {
        return kv == null ? 0 : kv.bytes();
    }

    @Override
    public void close() {
        if (kv != null) kv.close();
        inputs.close();
        outTokens.close();
        ops.close();
    }
}
