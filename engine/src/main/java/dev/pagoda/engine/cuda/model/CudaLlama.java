package dev.pagoda.engine.cuda.model;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.config.RopeScaling;
import dev.pagoda.catalog.tensor.WeightSource;
import dev.pagoda.engine.cpu.RopeFrequencies;
import dev.pagoda.engine.cuda.Cublas;
import dev.pagoda.engine.cuda.CudaDevice;
import dev.pagoda.engine.cuda.CudaStream;
import dev.pagoda.engine.cuda.CudaTimeline;
import dev.pagoda.engine.cuda.DeviceBuffer;
import dev.pagoda.engine.cuda.kernels.CudaKernels;
import dev.pagoda.engine.cuda.kernels.CudaKernels.AttentionGeometry;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The Llama-family decoder on a GPU: the same computation as {@code model.LlamaModel}, as
 * four cuBLAS GEMMs and a handful of NVRTC kernels per layer over one flattened batch.
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
 * Every buffer is allocated here for the largest step ({@code maxTokens}, {@code maxSeqs}), so a
 * step allocates no device memory and a CUDA graph may capture the launches of a decode step.
 */
public final class CudaLlama implements AutoCloseable {

    /** Sizes fixed at start-up. */
    public record Limits(int maxTokens, int maxSeqs, int maxModelLen, int blockSize, int maxCopies) {}

    private final ModelSpec spec;
    private final Limits limits;
    private final CudaDevice device;
    private final CudaStream stream;
    private final CudaKernels kernels;
    private final Cublas blas;
    private final CudaWeights weights;
    private final AttentionGeometry geometry;
    private final float normEps;
    private final float attentionFactor;
    private final List<DeviceBuffer> buffers = new ArrayList<>();

    final StepInputs inputs;
    private final long invFreq; // (headDim / 2) f32
    private final long x; // (maxTokens, D) f32 residual stream
    private final long h; // (maxTokens, D) bf16 normed sub-layer input
    private final long qkv; // (maxTokens, qDim + 2 kvDim) f32
    private final long q; // (maxTokens, qDim) bf16 rotated queries
    private final long attn; // (maxTokens, qDim) bf16 attention output
    private final long gateUp; // (maxTokens, 2I) bf16
    private final long act; // (maxTokens, I) bf16
    private final long lastHidden; // (maxSeqs, D) bf16 final-normed sampled rows
    private final long logits; // (maxSeqs, V) f32
    private final long outTokens; // (maxSeqs) int32 sampled ids
    private final long decodeWorkspace;

    private KvPool kv;

    public CudaLlama(CudaDevice device, CudaKernels kernels, Cublas blas, CudaWeights weights, WeightSource source, Limits limits) {
        this.spec = source.spec();
        this.limits = limits;
        this.device = device;
        this.stream = device.defaultStream();
        this.kernels = kernels;
        this.blas = blas;
        this.weights = weights;
        if (spec.ropeScaling() != null && spec.ropeScaling().type() == RopeScaling.Type.DYNAMIC
                && limits.maxModelLen() > spec.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("dynamic RoPE scaling past max_position_embeddings is not supported on CUDA; "
                    + "use --max-model-len " + spec.maxPositionEmbeddings() + " or --device cpu");
        }
        int maxBlocksPerSeq = Math.ceilDiv(limits.maxModelLen(), limits.blockSize());
        this.geometry = new AttentionGeometry(spec.numHeads(), spec.numKvHeads(), spec.headDim(), limits.blockSize(),
                maxBlocksPerSeq, (float) (1.0 / Math.sqrt(spec.headDim())), spec.slidingWindow() == null ? 0 : spec.slidingWindow());
        this.normEps = (float) spec.rmsNormEps();
        RopeFrequencies freqs = RopeFrequencies.of(spec, 1).dividedBy(RopeFrequencies.fileFactors(source));
        this.attentionFactor = (float) freqs.attentionFactor();

        this.inputs = new StepInputs(device, limits.maxTokens(), limits.maxSeqs(), maxBlocksPerSeq,
                CudaKernels.prefillTileRows(), limits.maxCopies(), spec.vocabSize());
        long t = limits.maxTokens();
        long d = spec.hiddenSize();
        int qkvDim = spec.qDim() + 2 * spec.kvDim();
        DeviceBuffer invFreqBuffer = allocBuffer(4L * spec.headDim() / 2);
        this.invFreq = invFreqBuffer.address();
        this.x = alloc(4 * t * d);
        this.h = alloc(2 * t * d);
        this.qkv = alloc(4 * t * qkvDim);
        this.q = alloc(2 * t * spec.qDim());
        this.attn = alloc(2 * t * spec.qDim());
        this.gateUp = alloc(4 * t * spec.intermediateSize());
        this.act = alloc(2 * t * spec.intermediateSize());
        this.lastHidden = alloc(2L * limits.maxSeqs() * d);
        this.logits = alloc(4L * limits.maxSeqs() * spec.vocabSize());
        this.outTokens = alloc(4L * limits.maxSeqs());
        this.decodeWorkspace = alloc(Math.max(256, CudaKernels.decodeWorkspaceBytes(geometry, limits.maxSeqs())));
        try (Arena arena = Arena.ofConfined()) {
            double[] inv = freqs.inverse();
            MemorySegment f = arena.allocate(4L * inv.length);
            for (int i = 0; i < inv.length; i++) f.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) inv[i]);
            invFreqBuffer.upload(f);
        }
    }

    /** K and V pools for {@code numBlocks} blocks; allocated after the profiling of everything else. */
    public void allocateKvCache(int numBlocks) {
        if (kv != null) throw new IllegalStateException("KV cache already allocated");
        kv = new KvPool(device, spec, numBlocks, limits.blockSize());
    }

    /** Bytes of K and V of all layers for one block (bf16). */
    public static long kvBytesPerBlock(ModelSpec spec, int blockSize) {
        return 2L * spec.numLayers() * blockSize * spec.kvDim() * 2;
    }

    public AttentionGeometry geometry() {
        return geometry;
    }

    public Limits limits() {
        return limits;
    }

    public ModelSpec spec() {
        return spec;
    }

    long outTokens() {
        return outTokens;
    }

    long logits() {
        return logits;
    }

    void makeDeviceCurrent() {
        device.makeCurrent();
    }

    CudaStream stream() {
        return stream;
    }

    /** Replaces the step's placeholder token ids by the ids the previous step sampled (see StepInputs.feedRows). */
    void fillPendingTokens(int tokens) {
        kernels.fillPendingTokens(stream, inputs.at(inputs.tokenIds), inputs.at(inputs.feedRows), outTokens, tokens);
    }

    /** Copy-on-write block copies queued before the step's K/V writes. */
    void copyBlocks(int count) {
        if (count == 0) return;
        kernels.copyBlocks(stream, kv.keys(), kv.values(), inputs.at(inputs.copyPairs), count, spec.numLayers(), kv.layerBytes(),
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
        int d = spec.hiddenSize();
        int qkvDim = spec.qDim() + 2 * spec.kvDim();
        int inter = spec.intermediateSize();
        long positions = inputs.at(inputs.positions);
        long slots = inputs.at(inputs.slotMapping);
        kernels.embedding(s, inputs.at(inputs.tokenIds), weights.embedding(), x, tokens, d);
        if (timeline != null) timeline.mark("embedding", s);
        for (int l = 0; l < weights.numLayers(); l++) {
            CudaWeights.Layer w = weights.layer(l);
            long keys = kv.keys(l);
            long values = kv.values(l);
            kernels.rmsNorm(s, x, 0, w.inputNorm(), h, tokens, d, normEps);
            if (timeline != null) timeline.mark("rms_norm", s);
            blas.linear(h, w.qkv(), qkv, Cublas.Out.F32, tokens, qkvDim, d, false);
            if (timeline != null) timeline.mark("gemm_qkv", s);
            kernels.qkvRopeCache(s, geometry, new CudaKernels.QkvRopeCache(qkv, w.qkvBias(), w.qNorm(), w.kNorm(), positions,
                    invFreq, attentionFactor, slots, q, keys, values, tokens, normEps));
            if (timeline != null) timeline.mark("qkv_rope_cache", s);
            if (numDecode > 0) {
                kernels.decodeAttention(s, geometry, new CudaKernels.DecodeAttention(q, keys, values, inputs.at(inputs.blockTables),
                        inputs.at(inputs.queryStart), inputs.at(inputs.contextLens), inputs.at(inputs.decodeSeqs), numDecode, attn,
                        decodeWorkspace));
                if (timeline != null) timeline.mark("attention_decode", s);
            }
            if (numTiles > 0) {
                kernels.prefillAttention(s, geometry, new CudaKernels.PrefillAttention(q, keys, values, inputs.at(inputs.blockTables),
                        inputs.at(inputs.queryStart), inputs.at(inputs.contextLens), inputs.at(inputs.tileSeq),
                        inputs.at(inputs.tileRow), numTiles, attn));
                if (timeline != null) timeline.mark("attention_prefill", s);
            }
            blas.linear(attn, w.o(), x, Cublas.Out.F32, tokens, d, spec.qDim(), true);
            if (timeline != null) timeline.mark("gemm_o", s);
            kernels.rmsNorm(s, x, 0, w.postNorm(), h, tokens, d, normEps);
            if (timeline != null) timeline.mark("rms_norm", s);
            blas.linear(h, w.gateUp(), gateUp, Cublas.Out.BF16, tokens, 2 * inter, d, false);
            if (timeline != null) timeline.mark("gemm_gate_up", s);
            kernels.siluMul(s, gateUp, act, tokens, inter);
            if (timeline != null) timeline.mark("silu_mul", s);
            blas.linear(act, w.down(), x, Cublas.Out.F32, tokens, d, inter, true);
            if (timeline != null) timeline.mark("gemm_down", s);
        }
        if (rows == 0) return;
        kernels.rmsNorm(s, x, inputs.at(inputs.logitRows), weights.finalNorm(), lastHidden, rows, d, normEps);
        if (timeline != null) timeline.mark("rms_norm", s);
        blas.linear(lastHidden, weights.lmHead(), logits, Cublas.Out.F32, rows, spec.vocabSize(), d, false);
        if (timeline != null) timeline.mark("lm_head", s);
        kernels.sample(s, new CudaKernels.SamplingBatch(logits, rows, spec.vocabSize(), inputs.at(inputs.temperature),
                inputs.at(inputs.topK), inputs.at(inputs.topP), inputs.at(inputs.minP), inputs.at(inputs.seeds),
                inputs.at(inputs.counters), inputs.at(inputs.maskRows), inputs.maskWords(), inputs.maskStride, outTokens));
        if (timeline != null) timeline.mark("sample", s);
    }

    /** Device memory this model holds besides the KV cache (weights excluded). */
    public long activationBytes() {
        long sum = 0;
        for (DeviceBuffer b : buffers) sum += b.bytes();
        return sum;
    }

    public long kvBytes() {
        return kv == null ? 0 : kv.bytes();
    }

    private long alloc(long bytes) {
        return allocBuffer(bytes).address();
    }

    private DeviceBuffer allocBuffer(long bytes) {
        DeviceBuffer b = device.allocate(Math.max(bytes, 256));
        buffers.add(b);
        return b;
    }

    @Override
    public void close() {
        if (kv != null) kv.close();
        inputs.close();
        for (DeviceBuffer b : buffers) b.close();
        buffers.clear();
    }
}
