package dev.pagoda.engine.backend.cpu;

import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.catalog.tensor.WeightSource;
import dev.pagoda.engine.backend.cpu.CpuWeights.CpuEmbedding;
import dev.pagoda.engine.backend.cpu.CpuWeights.CpuLinear;
import dev.pagoda.engine.backend.cpu.CpuWeights.CpuNorm;
import dev.pagoda.engine.cpu.AddBias;
import dev.pagoda.engine.cpu.AddRows;
import dev.pagoda.engine.cpu.Activations;
import dev.pagoda.engine.cpu.AttentionShape;
import dev.pagoda.engine.cpu.KvCacheWriter;
import dev.pagoda.engine.cpu.LayerNorm;
import dev.pagoda.engine.cpu.Linear;
import dev.pagoda.engine.cpu.MixtureOfExperts;
import dev.pagoda.engine.cpu.PagedAttention;
import dev.pagoda.engine.cpu.Parallel;
import dev.pagoda.engine.cpu.RmsNorm;
import dev.pagoda.engine.cpu.Rope;
import dev.pagoda.engine.cpu.SwiGlu;
import dev.pagoda.engine.model.ModelOptions;
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
import dev.pagoda.engine.model.ops.Part;
import dev.pagoda.engine.model.ops.NormSpec;
import dev.pagoda.engine.model.ops.Precision;
import dev.pagoda.engine.model.ops.QkNorm;
import dev.pagoda.engine.model.ops.RopeSpec;
import dev.pagoda.engine.model.ops.Rows;
import dev.pagoda.engine.model.ops.Tensor;
import dev.pagoda.engine.model.ops.TensorLayout;
import dev.pagoda.engine.model.ops.WeightLoader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@link ModelOps} over the CPU kernels of {@code engine.cpu}. Declarations allocate f32 buffers
 * for {@code maxTokens} rows from one arena; {@link #record} turns the model's forward into a
 * list of kernel calls bound to those buffers, which {@link CpuModel} runs every step.
 *
 * <p>Recording fuses what the kernels can fuse: a residual add ({@link #linearIntoResidual},
 * {@link #add}) is left pending and done by the next RMSNorm of that residual
 * ({@link RmsNorm#addAndApply}, which reads the stream once), or by a plain add where something
 * else reads it first. A fused projection runs one kernel per part, each writing its own part of
 * the output; its biases are added after the matmuls.
 */
final class CpuOps implements ModelOps {

    /** One recorded kernel call; reads per-step data from the step. */
    @FunctionalInterface
    interface Op {
        void run(CpuStep step);
    }

    private final ModelOptions options;
    private final Parallel parallel;
    private final Arena arena;
    private final CpuWeights weights;
    private final List<CpuAttention> attentionLayers = new ArrayList<>();
    private final Map<RopeSpec, Rope> ropes = new HashMap<>();
    private final Map<AttentionSpec, PagedAttention> attentionKernels = new HashMap<>();
    private final Map<NormKey, RmsNorm> rmsNorms = new HashMap<>();
    private final Map<NormKey, LayerNorm> layerNorms = new HashMap<>();
    private final Map<MoeKey, MixtureOfExperts> moeKernels = new HashMap<>();
    private final SwiGlu swiGlu;
    private final Activations activations;
    private CpuTensor logits;

    // recording state
    private final List<Op> plan = new ArrayList<>();
    private boolean recording;
    private boolean recorded;
    /** residual → the delta still to be added to it (a private buffer or a model tensor). */
    private final Map<CpuTensor, CpuTensor> pending = new LinkedHashMap<>();
    /** residual → its private delta buffer, where projections into it write. */
    private final Map<CpuTensor, CpuTensor> deltas = new HashMap<>();
    /** columns → a (maxTokens, columns) buffer where a norm of sampled rows normalises every row first. */
    private final Map<Integer, CpuTensor> sampledNormScratch = new HashMap<>();

    private record NormKey(int dim, double eps) {}

    private record MoeKey(MoeSpec spec, int hidden, int intermediate) {}

    /** A declared MoE layer: its weights and the kernel (with its buffers) it shares with layers of its shape. */
    private record CpuMoe(MoeSpec spec, int hiddenSize, int intermediateSize, MixtureOfExperts.Weights weights,
                          MixtureOfExperts kernel) implements MoeLayer {}

    CpuOps(WeightSource source, Function<TensorData, Linear> linears, ModelOptions options, Parallel parallel, Arena arena) {
        this.options = options;
        this.parallel = parallel;
        this.arena = arena;
        this.weights = new CpuWeights(source, linears, parallel, arena);
        this.swiGlu = new SwiGlu(parallel);
        this.activations = new Activations(parallel);
    }

    /** Records {@code model}'s forward pass as the kernel calls of one step. */
    List<Op> record(ModelDefinition model) {
        if (recorded) throw new IllegalStateException("the model was recorded already");
        if (logits == null) throw new IllegalArgumentException("the model declared no logits");
        recording = true;
        try {
            model.forward(this);
        } finally {
            recording = false;
            recorded = true;
        }
        pending.clear(); // adds nothing reads after them
        return List.copyOf(plan);
    }

    List<CpuAttention> attentionLayers() {
        return List.copyOf(attentionLayers);
    }

    CpuTensor logitsTensor() {
        return logits;
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
        TensorLayout layout = new TensorLayout(name, rows, precision, columnParts);
        MemorySegment[] segments = new MemorySegment[layout.numParts()];
        for (int i = 0; i < segments.length; i++) segments[i] = buffer((long) capacity(rows) * layout.partWidth(i));
        return new CpuTensor(layout, segments);
    }

    @Override
    public Tensor gatedOutput(String name, Tensor gateUp) {
        declaring("tensor " + name);
        CpuTensor g = cpu(gateUp);
        requireGatePair(g, name);
        TensorLayout layout = new TensorLayout(name, g.rows(), g.precision(), new int[] {g.partWidth(0)});
        return new CpuTensor(layout, new MemorySegment[] {g.part(0)}); // over the gate half: act(gate)·up is written in place
    }

    @Override
    public Tensor logits(int vocab) {
        declaring("logits");
        if (logits != null) throw new IllegalArgumentException("the model declared its logits twice");
        logits = new CpuTensor(new TensorLayout("logits", Rows.SAMPLED, Precision.FULL, new int[] {vocab}), new MemorySegment[1]);
        return logits;
    }

    @Override
    public AttentionLayer attentionLayer(AttentionSpec spec, QkNorm qkNorm) {
        declaring("attention layer");
        if (!attentionLayers.isEmpty()) {
            AttentionSpec first = attentionLayers.getFirst().spec();
            if (first.numKvHeads() != spec.numKvHeads() || first.headDim() != spec.headDim()) {
                throw new IllegalArgumentException("attention layer " + attentionLayers.size() + " has " + spec.numKvHeads()
                        + " KV heads of " + spec.headDim() + ", layer 0 " + first.numKvHeads() + " of " + first.headDim()
                        + ": the CPU KV cache holds one layout for every layer");
            }
        }
        CpuNorm q = null;
        CpuNorm k = null;
        RmsNorm headNorm = null;
        if (qkNorm != null) {
            q = (CpuNorm) qkNorm.q();
            k = (CpuNorm) qkNorm.k();
            requireRms(q, "q norm");
            requireRms(k, "k norm");
            if (q.dim() != spec.headDim() || q.spec().eps() != k.spec().eps()) {
                throw new IllegalArgumentException("q/k norms must span one head (" + spec.headDim() + ") with one eps, got "
                        + q.dim() + " columns, eps " + q.spec().eps() + " and " + k.spec().eps());
            }
            headNorm = rmsNorm(spec.headDim(), q.spec().eps());
        }
        Rope rope = ropes.computeIfAbsent(spec.rope(), r -> new Rope(r, options.maxModelLen(), parallel));
        PagedAttention kernel = attentionKernels.computeIfAbsent(spec, s -> new PagedAttention(
                new AttentionShape(s.numHeads(), s.numKvHeads(), s.headDim(), s.slidingWindow()), s.scale(), s.logitSoftCap(), parallel));
        CpuAttention layer = new CpuAttention(spec, attentionLayers.size(), q, k, headNorm, rope, kernel);
        attentionLayers.add(layer);
        return layer;
    }

    @Override
    public MoeLayer moeLayer(MoeSpec spec, MoeWeights names, int hidden, int intermediate) {
        declaring("MoE layer");
        int experts = spec.numExperts();
        Linear router = kernel(weights.linear("router", hidden, Part.of(names.router(), experts)));
        Linear[] gate = new Linear[experts];
        Linear[] up = new Linear[experts];
        Linear[] down = new Linear[experts];
        for (int e = 0; e < experts; e++) {
            gate[e] = kernel(weights.linear("expert gate", hidden, Part.of(names.gate().apply(e), intermediate)));
            up[e] = kernel(weights.linear("expert up", hidden, Part.of(names.up().apply(e), intermediate)));
            down[e] = kernel(weights.linear("expert down", intermediate, Part.of(names.down().apply(e), hidden)));
        }
        MixtureOfExperts kernel = moeKernels.computeIfAbsent(new MoeKey(spec, hidden, intermediate),
                k -> new MixtureOfExperts(spec, hidden, intermediate, options.maxTokens(), parallel, arena));
        return new CpuMoe(spec, hidden, intermediate, new MixtureOfExperts.Weights(router, gate, up, down), kernel);
    }

    private static Linear kernel(LinearWeight w) {
        return ((CpuLinear) w).kernels()[0];
    }

    // ---- one step ----

    @Override
    public void embed(EmbeddingWeight table, Tensor out) {
        CpuEmbedding e = (CpuEmbedding) table;
        CpuTensor o = single(out, "embedding output");
        requireRows(o, Rows.TOKENS, "embedding output");
        requireCols(o, e.hiddenSize(), "embedding output");
        written(o);
        emit(step -> e.kernel().gather(step.batch().tokenIds(), step.tokens(), o.segment()));
    }

    @Override
    public void norm(Norm norm, Tensor x, Tensor out) {
        CpuNorm n = (CpuNorm) norm;
        CpuTensor in = single(x, "norm input");
        CpuTensor o = single(out, "norm output");
        requireCols(in, n.dim(), "norm input");
        requireCols(o, n.dim(), "norm output");
        boolean sampledRows = in.rows() == Rows.TOKENS && o.rows() == Rows.SAMPLED;
        if (!sampledRows && in.rows() != o.rows()) {
            throw new IllegalArgumentException("norm from " + in + " into " + o + ": rows differ");
        }
        CpuTensor target = sampledRows ? sampledNormScratch.computeIfAbsent(n.dim(),
                cols -> (CpuTensor) tensorUnchecked("sampled norm rows", Rows.TOKENS, cols)) : o;
        if (n.spec().kind() == NormSpec.Kind.RMS) {
            if (n.hasBias()) throw new IllegalArgumentException("an RMSNorm has no bias: " + n.spec());
            RmsNorm kernel = rmsNorm(n.dim(), n.spec().eps());
            CpuTensor delta = pending.remove(in);
            written(o);
            if (delta != null) {
                emit(step -> kernel.addAndApply(in.segment(), delta.segment(), n.weight(), target.segment(), step.rows(in.rows())));
            } else {
                emit(step -> kernel.apply(in.segment(), n.weight(), target.segment(), step.rows(in.rows())));
            }
        } else {
            settle(in);
            written(o);
            LayerNorm kernel = layerNorms.computeIfAbsent(new NormKey(n.dim(), n.spec().eps()),
                    k -> new LayerNorm(parallel, k.dim(), k.eps()));
            emit(step -> kernel.apply(in.segment(), n.weight(), n.bias(), target.segment(), step.rows(in.rows())));
        }
        if (sampledRows) {
            long rowBytes = (long) n.dim() * Float.BYTES;
            emit(step -> {
                int[] rows = step.batch().logitRows();
                for (int i = 0; i < rows.length; i++) {
                    MemorySegment.copy(target.segment(), rows[i] * rowBytes, o.segment(), i * rowBytes, rowBytes);
                }
            });
        }
    }

    @Override
    public void linear(Tensor x, LinearWeight w, Tensor out) {
        CpuLinear lin = (CpuLinear) w;
        CpuTensor in = readable(x, "linear input of " + lin.label());
        requireCols(in, lin.inFeatures(), "input of " + lin.label());
        CpuTensor o = cpu(out);
        if (lin.parts().size() > 1 || o.numParts() > 1) {
            if (o.numParts() != lin.parts().size()) {
                throw new IllegalArgumentException(lin.label() + " has " + lin.parts().size() + " parts; declare " + o.name()
                        + " with one column part per projection part");
            }
            for (int i = 0; i < o.numParts(); i++) {
                if (o.partWidth(i) != lin.parts().get(i).rows()) {
                    throw new IllegalArgumentException(o.name() + " part " + i + " has " + o.partWidth(i) + " columns, "
                            + lin.parts().get(i).weight() + " gives " + lin.parts().get(i).rows());
                }
            }
        }
        requireCols(o, lin.outFeatures(), "output of " + lin.label());
        requireSameRows(in, o, lin.label());
        written(o);
        Linear[] kernels = lin.kernels();
        MemorySegment[] biases = lin.biases();
        emit(step -> {
            int rows = step.rows(in.rows());
            if (rows == 0) return; // a step that samples nothing has no logit rows
            for (int i = 0; i < kernels.length; i++) kernels[i].forward(in.segment(), o.part(i), rows);
            for (int i = 0; i < biases.length; i++) {
                if (biases[i] != null) AddBias.apply(o.part(i), biases[i], rows, o.partWidth(i));
            }
        });
    }

    @Override
    public void linearIntoResidual(Tensor x, LinearWeight w, Tensor residual) {
        CpuLinear lin = (CpuLinear) w;
        CpuTensor in = readable(x, "input of " + lin.label());
        CpuTensor r = single(residual, "residual");
        if (lin.parts().size() != 1) throw new IllegalArgumentException(lin.label() + ": a projection into the residual has one part");
        requireCols(in, lin.inFeatures(), "input of " + lin.label());
        requireCols(r, lin.outFeatures(), "residual of " + lin.label());
        requireSameRows(in, r, lin.label());
        settle(r);
        CpuTensor delta = deltas.computeIfAbsent(r, t -> (CpuTensor) tensorUnchecked(t.name() + " delta", t.rows(), t.cols()));
        Linear kernel = lin.kernels()[0];
        MemorySegment bias = lin.biases()[0];
        emit(step -> {
            int rows = step.rows(in.rows());
            if (rows == 0) return;
            kernel.forward(in.segment(), delta.segment(), rows);
            if (bias != null) AddBias.apply(delta.segment(), bias, rows, delta.cols());
        });
        pending.put(r, delta);
    }

    @Override
    public void add(Tensor delta, Tensor residual) {
        CpuTensor d = readable(delta, "delta");
        CpuTensor r = single(residual, "residual");
        requireCols(d, r.cols(), "delta added to " + r.name());
        requireSameRows(d, r, "residual add");
        settle(r);
        pending.put(r, d);
    }

    @Override
    public void gatedActivation(Activation activation, Tensor gateUp, Tensor out) {
        CpuTensor g = readable(gateUp, "gated activation input");
        requireGatePair(g, "gated activation input");
        CpuTensor o = single(out, "gated activation output");
        requireCols(o, g.partWidth(0), "gated activation output");
        requireSameRows(g, o, "gated activation");
        written(o);
        int cols = g.partWidth(0);
        if (activation == Activation.SILU) {
            emit(step -> swiGlu.apply(g.part(0), g.part(1), o.segment(), step.rows(g.rows()), cols));
        } else {
            emit(step -> activations.gated(activation, g.part(0), g.part(1), o.segment(), (long) step.rows(g.rows()) * cols));
        }
    }

    @Override
    public void activation(Activation activation, Tensor x) {
        CpuTensor t = readable(x, "activation input");
        CpuTensor one = single(t, "activation input");
        written(one);
        emit(step -> activations.apply(activation, one.segment(), (long) step.rows(one.rows()) * one.cols()));
    }

    @Override
    public void attention(AttentionLayer layer, Tensor qkv, Tensor out) {
        CpuAttention a = (CpuAttention) layer;
        AttentionSpec s = a.spec();
        CpuTensor in = readable(qkv, "attention input");
        if (in.numParts() != 3 || in.partWidth(0) != s.qDim() || in.partWidth(1) != s.kvDim() || in.partWidth(2) != s.kvDim()) {
            throw new IllegalArgumentException("attention reads q | k | v of " + s.qDim() + " | " + s.kvDim() + " | " + s.kvDim()
                    + " columns, got " + in);
        }
        requireRows(in, Rows.TOKENS, "attention input");
        CpuTensor o = single(out, "attention output");
        requireRows(o, Rows.TOKENS, "attention output");
        requireCols(o, s.qDim(), "attention output");
        written(o);
        emit(step -> {
            int tokens = step.tokens();
            MemorySegment query = in.part(0);
            MemorySegment key = in.part(1);
            if (a.headNorm() != null) {
                a.headNorm().apply(query, a.qNorm().weight(), query, tokens * s.numHeads());
                a.headNorm().apply(key, a.kNorm().weight(), key, tokens * s.numKvHeads());
            }
            int[] positions = step.batch().positions();
            a.rope().apply(query, positions, tokens, s.numHeads());
            a.rope().apply(key, positions, tokens, s.numKvHeads());
            var cacheLayer = step.cache().layer(a.cacheLayer());
            KvCacheWriter.write(key, in.part(2), step.batch().slotMapping(), tokens, cacheLayer);
            a.kernel().forward(query, cacheLayer, step.attention(), o.segment());
        });
    }

    @Override
    public void moe(MoeLayer layer, Tensor x, Tensor out) {
        CpuMoe m = (CpuMoe) layer;
        CpuTensor in = single(readable(x, "MoE input"), "MoE input");
        CpuTensor o = single(out, "MoE output");
        requireCols(in, m.hiddenSize(), "MoE input");
        requireCols(o, m.hiddenSize(), "MoE output");
        requireSameRows(in, o, "MoE");
        written(o);
        emit(step -> m.kernel().forward(m.weights(), in.segment(), o.segment(), step.rows(in.rows())));
    }

    @Override
    public void scale(Tensor x, float factor) {
        CpuTensor t = single(readable(x, "scaled tensor"), "scaled tensor");
        written(t);
        emit(step -> activations.scale(t.segment(), factor, (long) step.rows(t.rows()) * t.cols()));
    }

    @Override
    public void softCap(Tensor x, float cap) {
        CpuTensor t = single(readable(x, "soft-capped tensor"), "soft-capped tensor");
        written(t);
        emit(step -> {
            int rows = step.rows(t.rows());
            if (rows > 0) activations.softCap(t.segment(), cap, (long) rows * t.cols());
        });
    }

    // ---- helpers ----

    private void emit(Op op) {
        if (!recording) throw new IllegalStateException("operations are described in forward(ops), which the backend records");
        plan.add(op);
    }

    private void declaring(String what) {
        if (recording || recorded) throw new IllegalStateException(what + " declared in forward(): declare it in the model's constructor");
    }

    private int capacity(Rows rows) {
        return options.maxTokens(); // sampled rows are a subset of the step's token rows
    }

    private MemorySegment buffer(long floats) {
        return arena.allocate(floats * Float.BYTES, 64);
    }

    private Tensor tensorUnchecked(String name, Rows rows, int cols) {
        return new CpuTensor(new TensorLayout(name, rows, Precision.FULL, new int[] {cols}),
                new MemorySegment[] {buffer((long) capacity(rows) * cols)});
    }

    private RmsNorm rmsNorm(int dim, double eps) {
        return rmsNorms.computeIfAbsent(new NormKey(dim, eps), k -> new RmsNorm(parallel, k.dim(), k.eps()));
    }

    /** A tensor some op reads: any residual add still pending on it is done first. */
    private CpuTensor readable(Tensor t, String what) {
        CpuTensor c = cpu(t);
        settle(c);
        return c;
    }

    /** Records the pending add into {@code residual}, if any. */
    private void settle(CpuTensor residual) {
        CpuTensor delta = pending.remove(residual);
        if (delta == null) return;
        emit(step -> AddRows.apply(delta.segment(), residual.segment(), (long) step.rows(residual.rows()) * residual.cols()));
    }

    /**
     * {@code t} is about to be overwritten: a residual still waiting to add it gets the add now,
     * and an add still pending on {@code t} itself is dead.
     */
    private void written(CpuTensor t) {
        for (CpuTensor r : List.copyOf(pending.keySet())) {
            if (pending.get(r) == t) settle(r);
        }
        pending.remove(t);
    }

    private static CpuTensor cpu(Tensor t) {
        if (t instanceof CpuTensor c) return c;
        throw new IllegalArgumentException(t + " is not a CPU tensor");
    }

    private static CpuTensor single(Tensor t, String what) {
        CpuTensor c = cpu(t);
        if (c.numParts() != 1) throw new IllegalArgumentException(what + " " + c + " must have one column part");
        return c;
    }

    private static void requireCols(CpuTensor t, int cols, String what) {
        if (t.cols() != cols) throw new IllegalArgumentException(what + " " + t + " must have " + cols + " columns");
    }

    private static void requireRows(CpuTensor t, Rows rows, String what) {
        if (t.rows() != rows) throw new IllegalArgumentException(what + " " + t + " must have " + rows + " rows");
    }

    private static void requireSameRows(CpuTensor a, CpuTensor b, String what) {
        if (a.rows() != b.rows()) throw new IllegalArgumentException(what + ": " + a + " and " + b + " have different rows");
    }

    private static void requireGatePair(CpuTensor g, String what) {
        if (g.numParts() != 2 || g.partWidth(0) != g.partWidth(1)) {
            throw new IllegalArgumentException(what + ": " + g + " must be gate | up, two parts of one width");
        }
    }

    private static void requireRms(CpuNorm n, String what) {
        if (n.spec().kind() != NormSpec.Kind.RMS || n.hasBias()) {
            throw new IllegalArgumentException(what + ": per-head q/k norms are RMSNorms without bias, got " + n.spec()
                    + (n.hasBias() ? " with bias" : ""));
        }
    }
}
