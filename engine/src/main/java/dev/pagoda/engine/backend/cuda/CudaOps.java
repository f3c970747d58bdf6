package dev.pagoda.engine.backend.cuda;

import dev.pagoda.catalog.tensor.WeightSource;
import dev.pagoda.engine.backend.cuda.CudaAttention.CudaRope;
import dev.pagoda.engine.backend.cuda.CudaWeights.CudaEmbedding;
import dev.pagoda.engine.backend.cuda.CudaWeights.CudaLinear;
import dev.pagoda.engine.backend.cuda.CudaWeights.CudaNorm;
import dev.pagoda.engine.cuda.Cublas;
import dev.pagoda.engine.cuda.CudaDevice;
import dev.pagoda.engine.cuda.CudaStream;
import dev.pagoda.engine.cuda.DeviceBuffer;
import dev.pagoda.engine.cuda.kernels.CudaKernels;
import dev.pagoda.engine.cuda.kernels.CudaKernels.AttentionGeometry;
import dev.pagoda.engine.model.ops.Activation;
import dev.pagoda.engine.model.ops.AttentionLayer;
import dev.pagoda.engine.model.ops.AttentionSpec;
import dev.pagoda.engine.model.ops.EmbeddingWeight;
import dev.pagoda.engine.model.ops.LinearWeight;
import dev.pagoda.engine.model.ops.ModelDefinition;
import dev.pagoda.engine.model.ops.ModelOps;
import dev.pagoda.engine.model.ops.MoeLayer;
import dev.pagoda.engine.model.ops.MoeSpec;
import dev.pagoda.engine.model.ops.MoeWeights;
import dev.pagoda.engine.model.ops.Norm;
import dev.pagoda.engine.model.ops.Precision;
import dev.pagoda.engine.model.ops.QkNorm;
import dev.pagoda.engine.model.ops.RopeFrequencies;
import dev.pagoda.engine.model.ops.RopeSpec;
import dev.pagoda.engine.model.ops.RopeStyle;
import dev.pagoda.engine.model.ops.Rows;
import dev.pagoda.engine.model.ops.Tensor;
import dev.pagoda.engine.model.ops.TensorLayout;
import dev.pagoda.engine.model.ops.WeightLoader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link ModelOps} over the NVRTC kernels and cuBLAS. Declarations reserve weights
 * ({@link CudaWeights}) and device buffers, sized for the largest step; {@link #record} turns the
 * model's forward into a list of {@link Launch}es, each queuing kernels on the compute stream
 * with the step's counts, so a step allocates and synchronises nothing and a CUDA graph can
 * capture a decode step.
 *
 * <p>What makes it fast is decided while recording: a fused projection is one GEMM over its
 * stacked weight; a projection into the residual stream accumulates into it ({@code beta = 1},
 * the residual add is free); a q/k/v bias is not added by the GEMM but by the fused kernel that
 * also normalises q and k, applies RoPE and writes the cache. Operations without a kernel here
 * are refused while recording, with the operation's name, before any weight is uploaded.
 */
final class CudaOps implements ModelOps {

    /** One recorded launch (or a few, for attention); reads the step's counts. */
    interface Launch {
        /** Whether it has work in a step of this shape (e.g. no decode attention without decode rows). */
        boolean runs(StepShape step);

        void launch(StepShape step);

        /** The profile label its time is booked under. */
        String label();
    }

    /** The counts of the step being launched; set by {@link CudaModel#forward}. */
    static final class StepShape {
        int tokens;
        int numDecode;
        int numTiles;
        int rows;

        int rows(Rows kind) {
            return kind == Rows.TOKENS ? tokens : rows;
        }
    }

    private final CudaDevice device;
    private final CudaStream stream;
    private final CudaKernels kernels;
    private final Cublas blas;
    private final CudaModel.Limits limits;
    private final StepInputs inputs;
    private final CudaWeights weights;
    private final List<CudaTensor> tensors = new ArrayList<>();
    private final List<CudaAttention> attentionLayers = new ArrayList<>();
    private final Map<RopeSpec, CudaRope> ropes = new HashMap<>();
    private final Map<RopeSpec, double[]> ropeFrequencies = new HashMap<>();
    private CudaTensor logits;
    private CudaTensor rotatedQuery; // (T, max qDim) bf16: q after norm and RoPE, read by attention
    private long decodeWorkspaceBytes = 256;
    private DeviceBuffer decodeWorkspace; // split-KV partial results of decode attention, shared by every layer

    private final List<Launch> plan = new ArrayList<>();
    private final Map<CudaTensor, CudaLinear> pendingBias = new HashMap<>(); // tensor -> projection whose bias it still lacks
    private boolean recording;
    private boolean recorded;

    /**
     * The device, kernels, cuBLAS handle and step inputs are used only by {@link #allocate} and
     * when a recorded launch runs: declaring and recording touch no device, so a test can record
     * and inspect a model's plan without a GPU (passing null for them).
     */
    CudaOps(CudaDevice device, CudaKernels kernels, Cublas blas, WeightSource source, CudaModel.Limits limits, StepInputs inputs) {
        this.device = device;
        this.stream = device == null ? null : device.defaultStream();
        this.kernels = kernels;
        this.blas = blas;
        this.limits = limits;
        this.inputs = inputs;
        this.weights = new CudaWeights(source);
    }

    List<Launch> record(ModelDefinition model) {
        if (recorded) throw new IllegalStateException("the model was recorded already");
        if (logits == null) throw new IllegalArgumentException("the model declared no logits");
        recording = true;
        try {
            model.forward(this);
        } finally {
            recording = false;
            recorded = true;
        }
        if (!pendingBias.isEmpty()) {
            CudaLinear w = pendingBias.values().iterator().next();
            throw new IllegalArgumentException("the bias of " + w.label() + " feeds no attention layer: adding a projection's bias"
                    + " elsewhere is not implemented on the CUDA backend yet");
        }
        return List.copyOf(plan);
    }

    /** Uploads the weights, allocates every declared buffer and fills the RoPE tables. */
    void allocate() {
        weights.upload(device);
        for (CudaTensor t : tensors) t.allocate(device.allocate(Math.max(t.bytes(), 256)));
        decodeWorkspace = device.allocate(decodeWorkspaceBytes);
        try (Arena arena = Arena.ofConfined()) {
            for (var e : ropes.entrySet()) {
                double[] inv = ropeFrequencies.get(e.getKey());
                MemorySegment f = arena.allocate(4L * inv.length);
                for (int i = 0; i < inv.length; i++) f.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) inv[i]);
                e.getValue().invFreq().upload(f);
            }
        }
    }

    CudaWeights weightStore() {
        return weights;
    }

    List<CudaAttention> attentionLayers() {
        return List.copyOf(attentionLayers);
    }

    CudaTensor logitsTensor() {
        return logits;
    }

    /** Bytes of the declared device buffers (activations, RoPE tables), allocated or not; workspaces excluded. */
    long declaredTensorBytes() {
        long sum = 0;
        for (CudaTensor t : tensors) sum += Math.max(t.bytes(), 256);
        return sum;
    }

    /** Bytes decode attention's workspace gets at allocation. */
    long decodeWorkspaceBytes() {
        return decodeWorkspaceBytes;
    }

    /** Device bytes of the activation buffers, workspaces and RoPE tables (weights and KV excluded). */
    long activationBytes() {
        long sum = decodeWorkspace == null ? 0 : decodeWorkspace.bytes();
        for (CudaTensor t : tensors) sum += Math.max(t.bytes(), 256);
        return sum;
    }

    void close() {
        for (CudaTensor t : tensors) t.free();
        if (decodeWorkspace != null) decodeWorkspace.close();
        weights.close();
    }

    // ---- declarations ----

    @Override
    public WeightLoader weights() {
        declaring("weights");
        return weights;
    }

    @Override
    public Tensor tensor(String name, Precision precision, Rows rows, int... columnParts) {
        declaring("tensor " + name);
        return declare(new CudaTensor(new TensorLayout(name, rows, precision, columnParts), capacity(rows)));
    }

    @Override
    public Tensor gatedOutput(String name, Tensor gateUp) {
        CudaTensor g = cuda(gateUp);
        requireGatePair(g, name);
        return tensor(name, g.precision(), g.rows(), g.partWidth(0));
    }

    @Override
    public Tensor logits(int vocab) {
        declaring("logits");
        if (logits != null) throw new IllegalArgumentException("the model declared its logits twice");
        TensorLayout layout = new TensorLayout("logits", Rows.SAMPLED, Precision.FULL, new int[] {vocab});
        logits = declare(new CudaTensor(layout, capacity(Rows.SAMPLED)));
        return logits;
    }

    @Override
    public AttentionLayer attentionLayer(AttentionSpec spec, QkNorm qkNorm) {
        declaring("attention layer");
        if (!attentionLayers.isEmpty()) {
            AttentionSpec first = attentionLayers.getFirst().spec();
            if (first.kvDim() != spec.kvDim()) {
                throw new IllegalArgumentException("attention layer " + attentionLayers.size() + " holds " + spec.kvDim()
                        + " K/V columns, layer 0 " + first.kvDim() + ": the CUDA KV pool holds one layout for every layer");
            }
        }
        if (spec.logitSoftCap() != 0f) {
            throw new IllegalArgumentException("attention soft-capping is not implemented on the CUDA backend yet");
        }
        RopeSpec rope = spec.rope();
        if (rope.style() != RopeStyle.ROTATE_HALF || rope.rotaryDim() != rope.headDim()) {
            throw new IllegalArgumentException("RoPE " + rope.style() + " over " + rope.rotaryDim() + " of " + rope.headDim()
                    + " dimensions is not implemented on the CUDA backend yet (its kernel rotates whole heads, rotate-half)");
        }
        if (rope.dynamic() && limits.maxModelLen() > rope.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("dynamic RoPE scaling past max_position_embeddings is not supported on CUDA; "
                    + "use --max-model-len " + rope.maxPositionEmbeddings() + " or --device cpu");
        }
        CudaNorm q = null;
        CudaNorm k = null;
        if (qkNorm != null) {
            q = (CudaNorm) qkNorm.q();
            k = (CudaNorm) qkNorm.k();
            if (q.dim() != spec.headDim() || q.spec().eps() != k.spec().eps()) {
                throw new IllegalArgumentException("q/k norms must span one head (" + spec.headDim() + ") with one eps, got "
                        + q.dim() + " columns, eps " + q.spec().eps() + " and " + k.spec().eps());
            }
        }
        int maxBlocksPerSeq = Math.ceilDiv(limits.maxModelLen(), limits.blockSize());
        AttentionGeometry geometry = new AttentionGeometry(spec.numHeads(), spec.numKvHeads(), spec.headDim(), limits.blockSize(),
                maxBlocksPerSeq, spec.scale(), spec.slidingWindow());
        decodeWorkspaceBytes = Math.max(decodeWorkspaceBytes, CudaKernels.decodeWorkspaceBytes(geometry, limits.maxSeqs()));
        if (rotatedQuery == null || rotatedQuery.cols() < spec.qDim()) {
            if (rotatedQuery != null) tensors.remove(rotatedQuery);
            TensorLayout layout = new TensorLayout("rotated query", Rows.TOKENS, Precision.COMPACT, new int[] {spec.qDim()});
            rotatedQuery = declare(new CudaTensor(layout, capacity(Rows.TOKENS)));
        }
        CudaRope cudaRope = ropes.computeIfAbsent(rope, r -> {
            RopeFrequencies freqs = RopeFrequencies.of(r, 1);
            ropeFrequencies.put(r, freqs.inverse());
            CudaTensor inv = declare(new CudaTensor(new TensorLayout("RoPE inverse frequencies", Rows.SAMPLED, Precision.FULL,
                    new int[] {freqs.count()}), 1));
            return new CudaRope(inv, (float) freqs.attentionFactor());
        });
        CudaAttention layer = new CudaAttention(spec, attentionLayers.size(), geometry, q, k, cudaRope);
        attentionLayers.add(layer);
        return layer;
    }

    @Override
    public MoeLayer moeLayer(MoeSpec spec, MoeWeights names, int hidden, int intermediate) {
        declaring("MoE layer");
        throw new IllegalArgumentException("mixture-of-experts layers are not implemented on the CUDA backend yet");
    }

    // ---- one step ----

    @Override
    public void embed(EmbeddingWeight table, Tensor out) {
        CudaEmbedding e = (CudaEmbedding) table;
        CudaTensor o = cuda(out);
        require(o, Rows.TOKENS, Precision.FULL, e.hiddenSize(), "embedding output");
        int d = e.hiddenSize();
        emit("embedding", step -> true,
                step -> kernels.embedding(stream, inputs.at(inputs.tokenIds), e.address(), o.address(), step.tokens, d));
    }

    @Override
    public void norm(Norm norm, Tensor x, Tensor out) {
        CudaNorm n = (CudaNorm) norm;
        CudaTensor in = readable(x, "norm input");
        CudaTensor o = cuda(out);
        require(in, in.rows(), Precision.FULL, n.dim(), "norm input");
        require(o, o.rows(), Precision.COMPACT, n.dim(), "norm output");
        boolean sampledRows = in.rows() == Rows.TOKENS && o.rows() == Rows.SAMPLED;
        if (!sampledRows && in.rows() != o.rows()) throw new IllegalArgumentException("norm from " + in + " into " + o + ": rows differ");
        float eps = (float) n.spec().eps();
        int d = n.dim();
        emit("rms_norm", step -> step.rows(o.rows()) > 0, step -> kernels.rmsNorm(stream, in.address(),
                sampledRows ? inputs.at(inputs.logitRows) : 0, n.address(), o.address(), step.rows(o.rows()), d, eps));
    }

    @Override
    public void linear(Tensor x, LinearWeight w, Tensor out) {
        CudaLinear lin = (CudaLinear) w;
        CudaTensor in = readable(x, "input of " + lin.label());
        CudaTensor o = cuda(out);
        require(in, in.rows(), Precision.COMPACT, lin.inFeatures(), "input of " + lin.label());
        require(o, in.rows(), o.precision(), lin.outFeatures(), "output of " + lin.label());
        Cublas.Out type = o.precision() == Precision.FULL ? Cublas.Out.F32 : Cublas.Out.BF16;
        if (lin.hasBias()) {
            if (o.precision() != Precision.FULL) {
                throw new IllegalArgumentException(lin.label() + ": a biased projection into a bf16 buffer is not implemented on CUDA yet");
            }
            pendingBias.put(o, lin);
        }
        int n = lin.outFeatures();
        int k = lin.inFeatures();
        String label = o == logits ? "lm_head" : "gemm_" + lin.label();
        emit(label, step -> step.rows(in.rows()) > 0,
                step -> blas.linear(in.address(), lin.address(), o.address(), type, step.rows(in.rows()), n, k, false));
    }

    @Override
    public void linearIntoResidual(Tensor x, LinearWeight w, Tensor residual) {
        CudaLinear lin = (CudaLinear) w;
        CudaTensor in = readable(x, "input of " + lin.label());
        CudaTensor r = readable(residual, "residual of " + lin.label());
        require(in, in.rows(), Precision.COMPACT, lin.inFeatures(), "input of " + lin.label());
        require(r, in.rows(), Precision.FULL, lin.outFeatures(), "residual of " + lin.label());
        if (lin.hasBias()) {
            throw new IllegalArgumentException(lin.label() + ": a biased projection into the residual is not implemented on CUDA yet");
        }
        int n = lin.outFeatures();
        int k = lin.inFeatures();
        emit("gemm_" + lin.label(), step -> step.rows(in.rows()) > 0,
                step -> blas.linear(in.address(), lin.address(), r.address(), Cublas.Out.F32, step.rows(in.rows()), n, k, true));
    }

    @Override
    public void add(Tensor delta, Tensor residual) {
        throw unsupported("a residual add of a separate tensor");
    }

    @Override
    public void gatedActivation(Activation activation, Tensor gateUp, Tensor out) {
        CudaTensor g = readable(gateUp, "gated activation input");
        requireGatePair(g, "gated activation input");
        CudaTensor o = cuda(out);
        require(g, g.rows(), Precision.COMPACT, g.cols(), "gated activation input");
        require(o, g.rows(), Precision.COMPACT, g.partWidth(0), "gated activation output");
        if (activation != Activation.SILU) throw unsupported(activation + "-gated MLPs");
        int inter = g.partWidth(0);
        emit("silu_mul", step -> step.rows(g.rows()) > 0,
                step -> kernels.siluMul(stream, g.address(), o.address(), step.rows(g.rows()), inter));
    }

    @Override
    public void activation(Activation activation, Tensor x) {
        throw unsupported("a plain " + activation + " activation");
    }

    @Override
    public void attention(AttentionLayer layer, Tensor qkv, Tensor out) {
        CudaAttention a = (CudaAttention) layer;
        AttentionSpec s = a.spec();
        CudaTensor in = cuda(qkv);
        CudaLinear biased = pendingBias.remove(in);
        require(in, Rows.TOKENS, Precision.FULL, s.qDim() + 2 * s.kvDim(), "attention input");
        if (in.numParts() != 3 || in.partWidth(0) != s.qDim() || in.partWidth(1) != s.kvDim()) {
            throw new IllegalArgumentException("attention reads q | k | v of " + s.qDim() + " | " + s.kvDim() + " | " + s.kvDim()
                    + " columns, got " + in);
        }
        CudaTensor o = cuda(out);
        require(o, Rows.TOKENS, Precision.COMPACT, s.qDim(), "attention output");
        AttentionGeometry g = a.geometry();
        CudaTensor query = rotatedQuery;
        float eps = a.normEps();
        int cacheLayer = a.cacheLayer();
        emit("qkv_rope_cache", step -> true, step -> kernels.qkvRopeCache(stream, g, new CudaKernels.QkvRopeCache(in.address(),
                biased == null ? 0 : biased.biasAddress(), a.qNorm() == null ? 0 : a.qNorm().address(),
                a.kNorm() == null ? 0 : a.kNorm().address(), inputs.at(inputs.positions), a.rope().invFreq().address(),
                a.rope().attentionFactor(), inputs.at(inputs.slotMapping), query.address(), kv().keys(cacheLayer), kv().values(cacheLayer),
                step.tokens, eps)));
        emit("attention_decode", step -> step.numDecode > 0, step -> kernels.decodeAttention(stream, g, new CudaKernels.DecodeAttention(
                query.address(), kv().keys(cacheLayer), kv().values(cacheLayer), inputs.at(inputs.blockTables), inputs.at(inputs.queryStart),
                inputs.at(inputs.contextLens), inputs.at(inputs.decodeSeqs), step.numDecode, o.address(), decodeWorkspace.address())));
        emit("attention_prefill", step -> step.numTiles > 0, step -> kernels.prefillAttention(stream, g, new CudaKernels.PrefillAttention(
                query.address(), kv().keys(cacheLayer), kv().values(cacheLayer), inputs.at(inputs.blockTables), inputs.at(inputs.queryStart),
                inputs.at(inputs.contextLens), inputs.at(inputs.tileSeq), inputs.at(inputs.tileRow), step.numTiles, o.address())));
    }

    @Override
    public void moe(MoeLayer layer, Tensor x, Tensor out) {
        throw unsupported("a mixture-of-experts layer");
    }

    @Override
    public void scale(Tensor x, float factor) {
        throw unsupported("scaling a tensor");
    }

    @Override
    public void softCap(Tensor x, float cap) {
        throw unsupported("soft-capping");
    }

    // ---- helpers ----

    private KvPool kvPool;

    /** The KV pool, once {@link CudaModel#allocateKvCache} made it. */
    void useKvPool(KvPool pool) {
        this.kvPool = pool;
    }

    private KvPool kv() {
        if (kvPool == null) throw new IllegalStateException("a step launched before the KV cache was allocated");
        return kvPool;
    }

    private interface Guard {
        boolean runs(StepShape step);
    }

    private interface Body {
        void launch(StepShape step);
    }

    private void emit(String label, Guard guard, Body body) {
        if (!recording) throw new IllegalStateException("operations are described in forward(ops), which the backend records");
        plan.add(new Launch() {
            @Override
            public boolean runs(StepShape step) {
                return guard.runs(step);
            }

            @Override
            public void launch(StepShape step) {
                body.launch(step);
            }

            @Override
            public String label() {
                return label;
            }
        });
    }

    private void declaring(String what) {
        if (recording || recorded) throw new IllegalStateException(what + " declared in forward(): declare it in the model's constructor");
    }

    private CudaTensor declare(CudaTensor t) {
        tensors.add(t);
        return t;
    }

    private long capacity(Rows rows) {
        return rows == Rows.TOKENS ? limits.maxTokens() : limits.maxSeqs();
    }

    /** A tensor some op reads: a projection bias it still lacks can only be added by attention here. */
    private CudaTensor readable(Tensor t, String what) {
        CudaTensor c = cuda(t);
        CudaLinear biased = pendingBias.get(c);
        if (biased != null) {
            throw new IllegalArgumentException(what + " " + c + " lacks the bias of " + biased.label()
                    + ": adding a projection's bias outside attention is not implemented on the CUDA backend yet");
        }
        return c;
    }

    private static IllegalArgumentException unsupported(String what) {
        return new IllegalArgumentException(what + " is not implemented on the CUDA backend yet");
    }

    private static CudaTensor cuda(Tensor t) {
        if (t instanceof CudaTensor c) return c;
        throw new IllegalArgumentException(t + " is not a CUDA tensor");
    }

    private static void require(CudaTensor t, Rows rows, Precision precision, int cols, String what) {
        if (t.rows() != rows || t.precision() != precision || t.cols() != cols) {
            throw new IllegalArgumentException(what + " " + t + " must be (" + rows + ", " + cols + ") "
                    + (precision == Precision.FULL ? "f32" : "bf16") + " on the CUDA backend");
        }
    }

    private static void requireGatePair(CudaTensor g, String what) {
        if (g.numParts() != 2 || g.partWidth(0) != g.partWidth(1)) {
            throw new IllegalArgumentException(what + ": " + g + " must be gate | up, two parts of one width");
        }
    }
}
