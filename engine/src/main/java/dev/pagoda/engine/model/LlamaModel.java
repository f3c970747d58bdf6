package dev.pagoda.engine.model;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.catalog.tensor.WeightSource;
import dev.pagoda.engine.cpu.AddBias;
import dev.pagoda.engine.cpu.AttentionBatch;
import dev.pagoda.engine.cpu.AttentionShape;
import dev.pagoda.engine.cpu.CacheLayer;
import dev.pagoda.engine.cpu.CpuKvCache;
import dev.pagoda.engine.cpu.Embedding;
import dev.pagoda.engine.cpu.KvCacheWriter;
import dev.pagoda.engine.cpu.Linear;
import dev.pagoda.engine.cpu.PagedAttention;
import dev.pagoda.engine.cpu.Parallel;
import dev.pagoda.engine.cpu.RmsNorm;
import dev.pagoda.engine.cpu.Rope;
import dev.pagoda.engine.cpu.RopeFrequencies;
import dev.pagoda.engine.cpu.SwiGlu;
import dev.pagoda.engine.cpu.TensorRows;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Function;

/**
 * The Llama-family decoder (Llama 2/3, Mistral, Qwen2/2.5, Qwen3) on the CPU, over a paged KV
 * cache. One {@link #forward} runs every layer for all T tokens of a flattened batch at once, so
 * each weight matrix is streamed once per step whatever the mix of prefill chunks and decodes:
 *
 * <pre>
 *   h = embed(tokens)
 *   per layer:  x = rmsnorm(h)                      (fused with h += previous sub-layer output)
 *               q,k,v = x·Wqkv (+bias) ; q,k = rmsnorm_head(q,k) (Qwen3) ; rope(q,k)
 *               cache[slot] = k,v ; a = paged_attention(q, cache, block tables)
 *               h += a·Wo ; x = rmsnorm(h) ; h += (silu(x·Wg) * x·Wu)·Wd
 *   logits = rmsnorm(h)[logitRows] · Wlm        (lm_head or the tied embedding)
 * </pre>
 *
 * Activation buffers are sized for {@link ModelOptions#maxTokens} at construction; a step
 * allocates nothing but the small {@link AttentionBatch} view. Not thread-safe: the engine loop
 * owns it.
 */
public final class LlamaModel implements AutoCloseable {

    private final ModelSpec spec;
    private final ModelOptions options;
    private final Arena arena = Arena.ofShared();
    private final Embedding embedding;
    private final LayerWeights[] layers;
    private final MemorySegment finalNorm; // (hidden) f32
    private final Linear lmHead; // (vocab, hidden)

    private final RmsNorm norm;
    private final RmsNorm headNorm;
    private final Rope rope;
    private final PagedAttention attention;
    private final SwiGlu swiGlu;

    private final MemorySegment hidden; // (maxTokens, hidden) f32: the residual stream
    private final MemorySegment normed; // (maxTokens, hidden) f32: normalised input of a sub-layer
    private final MemorySegment query; // (maxTokens, numHeads*headDim) f32
    private final MemorySegment key; // (maxTokens, numKvHeads*headDim) f32
    private final MemorySegment value; // (maxTokens, numKvHeads*headDim) f32
    private final MemorySegment attended; // (maxTokens, numHeads*headDim) f32
    private final MemorySegment delta; // (maxTokens, hidden) f32: output of o_proj / down_proj
    private final MemorySegment gate; // (maxTokens, intermediate) f32, then silu(gate)*up
    private final MemorySegment up; // (maxTokens, intermediate) f32
    private final MemorySegment logitInput; // (maxTokens, hidden) f32: final-normed rows of logitRows

    private LlamaModel(WeightSource weights, Function<TensorData, Linear> linearFactory, ModelOptions options,
                       Parallel parallel) {
        this.spec = weights.spec();
        this.options = options;
        ModelLoader loader = new ModelLoader(weights, linearFactory, arena);
        TensorData embed = loader.tensor("model.embed_tokens.weight", spec.vocabSize(), spec.hiddenSize());
        this.embedding = new Embedding(embed, parallel);
        this.layers = new LayerWeights[spec.numLayers()];
        for (int l = 0; l < layers.length; l++) layers[l] = loader.layer(l);
        this.finalNorm = loader.vector("model.norm.weight", spec.hiddenSize());
        this.lmHead = spec.tieWordEmbeddings() && !weights.has("lm_head.weight")
                ? linearFactory.apply(embed)
                : loader.linear("lm_head.weight", spec.vocabSize(), spec.hiddenSize());

        this.norm = new RmsNorm(parallel, spec.hiddenSize(), spec.rmsNormEps());
        this.headNorm = new RmsNorm(parallel, spec.headDim(), spec.rmsNormEps());
        this.rope = new Rope(spec, options.maxModelLen(), RopeFrequencies.fileFactors(weights), parallel);
        this.attention = new PagedAttention(AttentionShape.of(spec), parallel);
        this.swiGlu = new SwiGlu(parallel);

        long t = options.maxTokens();
        this.hidden = buffer(t * spec.hiddenSize());
        this.normed = buffer(t * spec.hiddenSize());
        this.query = buffer(t * spec.qDim());
        this.key = buffer(t * spec.kvDim());
        this.value = buffer(t * spec.kvDim());
        this.attended = buffer(t * spec.qDim());
        this.delta = buffer(t * spec.hiddenSize());
        this.gate = buffer(t * spec.intermediateSize());
        this.up = buffer(t * spec.intermediateSize());
        this.logitInput = buffer(t * spec.hiddenSize());
    }

    /**
     * Builds the model from HF-named tensors; linear layers come from {@code linearFactory}
     * (the Vector-API kernels in production), everything else is decoded here.
     *
     * @throws IllegalArgumentException naming the tensor when one is missing or misshapen
     */
    public static LlamaModel load(WeightSource weights, Function<TensorData, Linear> linearFactory,
                                  ModelOptions options, Parallel parallel) {
        return new LlamaModel(weights, linearFactory, options, parallel);
    }

    public ModelSpec spec() {
        return spec;
    }

    public ModelOptions options() {
        return options;
    }

    /** Logit columns per row: the lm_head's output size. */
    public int vocabSize() {
        return lmHead.outFeatures();
    }

    /**
     * Runs one step: writes every token's K/V into its slot, attends through the block tables
     * and writes logits for {@code batch.logitRows()}.
     *
     * @param logitsOut (logitRows.length, vocab) f32, row i for token row logitRows[i]
     */
    public void forward(ForwardBatch batch, CpuKvCache cache, MemorySegment logitsOut) {
        int tokens = batch.numTokens();
        checkStep(batch, cache, logitsOut);
        AttentionBatch sequences = batch.attention();
        embedding.gather(batch.tokenIds(), tokens, hidden);
        for (int l = 0; l < layers.length; l++) {
            LayerWeights w = layers[l];
            if (l == 0) {
                norm.apply(hidden, w.inputNorm(), normed, tokens);
            } else {
                norm.addAndApply(hidden, delta, w.inputNorm(), normed, tokens);
            }
            attentionBlock(w.attention(), batch, cache.layer(l), sequences);
            norm.addAndApply(hidden, delta, w.postNorm(), normed, tokens);
            mlpBlock(w.mlp(), tokens);
        }
        norm.addAndApply(hidden, delta, finalNorm, normed, tokens);
        int[] rows = batch.logitRows();
        long rowBytes = (long) spec.hiddenSize() * Float.BYTES;
        for (int i = 0; i < rows.length; i++) {
            MemorySegment.copy(normed, rows[i] * rowBytes, logitInput, i * rowBytes, rowBytes);
        }
        if (rows.length > 0) lmHead.forward(logitInput, logitsOut, rows.length);
    }

    /** normed → q,k,v → (bias, q/k norm, RoPE) → cache → attention → delta = o_proj. */
    private void attentionBlock(LayerWeights.Attention w, ForwardBatch batch, CacheLayer layer,
                                AttentionBatch sequences) {
        int tokens = batch.numTokens();
        w.q().forward(normed, query, tokens);
        w.k().forward(normed, key, tokens);
        w.v().forward(normed, value, tokens);
        if (w.bias() != null) {
            AddBias.apply(query, w.bias().q(), tokens, spec.qDim());
            AddBias.apply(key, w.bias().k(), tokens, spec.kvDim());
            AddBias.apply(value, w.bias().v(), tokens, spec.kvDim());
        }
        if (w.qkNorm() != null) {
            headNorm.apply(query, w.qkNorm().q(), query, tokens * spec.numHeads());
            headNorm.apply(key, w.qkNorm().k(), key, tokens * spec.numKvHeads());
        }
        rope.apply(query, batch.positions(), tokens, spec.numHeads());
        rope.apply(key, batch.positions(), tokens, spec.numKvHeads());
        KvCacheWriter.write(key, value, batch.slotMapping(), tokens, layer);
        attention.forward(query, layer, sequences, attended);
        w.o().forward(attended, delta, tokens);
    }

    /** normed → delta = down(silu(gate(normed)) * up(normed)). */
    private void mlpBlock(LayerWeights.Mlp w, int tokens) {
        w.gate().forward(normed, gate, tokens);
        w.up().forward(normed, up, tokens);
        swiGlu.apply(gate, up, gate, tokens, spec.intermediateSize());
        w.down().forward(gate, delta, tokens);
    }

    private void checkStep(ForwardBatch batch, CpuKvCache cache, MemorySegment logitsOut) {
        if (batch.numTokens() > options.maxTokens()) {
            throw new IllegalArgumentException("batch has " + batch.numTokens() + " tokens, the model was sized for "
                    + options.maxTokens() + " (maxTokens)");
        }
        if (cache.shape().numLayers() != spec.numLayers() || cache.shape().numKvHeads() != spec.numKvHeads()
                || cache.shape().headDim() != spec.headDim()) {
            throw new IllegalArgumentException("KV cache " + cache.shape() + " does not fit the model ("
                    + spec.numLayers() + " layers, " + spec.numKvHeads() + " KV heads of " + spec.headDim() + ")");
        }
        long needed = (long) batch.logitRows().length * vocabSize() * Float.BYTES;
        if (logitsOut.byteSize() < needed) {
            throw new IllegalArgumentException("logits buffer holds " + logitsOut.byteSize() + " bytes, "
                    + batch.logitRows().length + " rows of " + vocabSize() + " f32 need " + needed);
        }
        batch.attention().checkAgainst(cache.shape());
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

    private MemorySegment buffer(long floats) {
        return arena.allocate(floats * Float.BYTES, 64);
    }

    @Override
    public void close() {
        arena.close();
    }

    /** Fetches and shape-checks tensors by HF name. */
    private record ModelLoader(WeightSource weights, Function<TensorData, Linear> linearFactory, Arena arena) {

        LayerWeights layer(int l) {
            ModelSpec s = weights.spec();
            String p = "model.layers." + l + ".";
            int d = s.hiddenSize();
            LayerWeights.QkvBias bias = s.attentionBias()
                    ? new LayerWeights.QkvBias(vector(p + "self_attn.q_proj.bias", s.qDim()),
                            vector(p + "self_attn.k_proj.bias", s.kvDim()), vector(p + "self_attn.v_proj.bias", s.kvDim()))
                    : null;
            LayerWeights.QkNorm qkNorm = s.qkNorm()
                    ? new LayerWeights.QkNorm(vector(p + "self_attn.q_norm.weight", s.headDim()),
                            vector(p + "self_attn.k_norm.weight", s.headDim()))
                    : null;
            LayerWeights.Attention attention = new LayerWeights.Attention(
                    linear(p + "self_attn.q_proj.weight", s.qDim(), d),
                    linear(p + "self_attn.k_proj.weight", s.kvDim(), d),
                    linear(p + "self_attn.v_proj.weight", s.kvDim(), d),
                    linear(p + "self_attn.o_proj.weight", d, s.qDim()),
                    bias, qkNorm);
            LayerWeights.Mlp mlp = new LayerWeights.Mlp(
                    linear(p + "mlp.gate_proj.weight", s.intermediateSize(), d),
                    linear(p + "mlp.up_proj.weight", s.intermediateSize(), d),
                    linear(p + "mlp.down_proj.weight", d, s.intermediateSize()));
            return new LayerWeights(vector(p + "input_layernorm.weight", d), attention,
                    vector(p + "post_attention_layernorm.weight", d), mlp);
        }

        TensorData tensor(String name, long... shape) {
            return weights.checkedTensor(name, shape);
        }

        Linear linear(String name, int out, int in) {
            return linearFactory.apply(tensor(name, out, in));
        }

        MemorySegment vector(String name, int length) {
            return TensorRows.decodeAll(tensor(name, length), arena);
        }
    }
}
