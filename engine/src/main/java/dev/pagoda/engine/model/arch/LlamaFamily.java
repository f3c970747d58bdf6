package dev.pagoda.engine.model.arch;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.engine.model.ops.Activation;
import dev.pagoda.engine.model.ops.AttentionLayer;
import dev.pagoda.engine.model.ops.AttentionSpec;
import dev.pagoda.engine.model.ops.EmbeddingWeight;
import dev.pagoda.engine.model.ops.LinearWeight;
import dev.pagoda.engine.model.ops.ModelDefinition;
import dev.pagoda.engine.model.ops.ModelOps;
import dev.pagoda.engine.model.ops.Norm;
import dev.pagoda.engine.model.ops.NormSpec;
import dev.pagoda.engine.model.ops.Part;
import dev.pagoda.engine.model.ops.QkNorm;
import dev.pagoda.engine.model.ops.RopeFrequencies;
import dev.pagoda.engine.model.ops.RopeSpec;
import dev.pagoda.engine.model.ops.Rows;
import dev.pagoda.engine.model.ops.Tensor;
import dev.pagoda.engine.model.ops.WeightLoader;

import static dev.pagoda.engine.model.ops.Precision.COMPACT;
import static dev.pagoda.engine.model.ops.Precision.FULL;

/**
 * The Llama family: Llama 2/3, Mistral (sliding window), Qwen2/2.5 (q/k/v bias), Qwen3 (per-head
 * q/k RMSNorm); tied embeddings and every RoPE scaling the engine knows. The shape of vLLM's
 * {@code llama.py} and llama.cpp's {@code build_llama}:
 *
 * <pre>
 *   x = embed(tokens)
 *   per layer:  h = rmsnorm(x)
 *               x += o_proj(attention(qkv_proj(h)))      (bias, q/k norm, RoPE and the cache write inside)
 *               h = rmsnorm(x)
 *               x += down_proj(silu(gate_proj(h)) · up_proj(h))
 *   logits = lm_head(rmsnorm(x)[sampled rows])          (lm_head = the embedding when tied)
 * </pre>
 */
public final class LlamaFamily implements ModelDefinition {

    /** One decoder layer's weights and attention. */
    private record Layer(Norm inputNorm, LinearWeight qkv, AttentionLayer attention, LinearWeight o, Norm postNorm,
                         LinearWeight gateUp, LinearWeight down) {}

    private final EmbeddingWeight embedding; // (vocab, hidden)
    private final Layer[] layers;
    private final Norm finalNorm; // (hidden)
    private final LinearWeight lmHead; // (vocab, hidden)

    private final Tensor x; // (T, hidden) f32: the residual stream
    private final Tensor h; // (T, hidden): a sub-layer's normed input
    private final Tensor qkv; // (T, q | k | v) f32
    private final Tensor attended; // (T, heads·headDim)
    private final Tensor gateUp; // (T, gate | up)
    private final Tensor act; // (T, intermediate): silu(gate)·up
    private final Tensor last; // (R, hidden): final-normed sampled rows
    private final Tensor logits; // (R, vocab) f32

    public LlamaFamily(ModelSpec spec, ModelOps ops) {
        WeightLoader w = ops.weights();
        int d = spec.hiddenSize();
        int q = spec.qDim();
        int kv = spec.kvDim();
        int inter = spec.intermediateSize();
        NormSpec rms = NormSpec.rms(spec.rmsNormEps());
        float[] fileFactors = w.constants(RopeFrequencies.FILE_FACTORS, spec.headDim() / 2).orElse(null);
        AttentionSpec attention = AttentionSpec.of(spec, RopeSpec.of(spec, fileFactors));

        this.embedding = w.embedding("model.embed_tokens.weight", spec.vocabSize(), d);
        this.layers = new Layer[spec.numLayers()];
        for (int l = 0; l < layers.length; l++) {
            String p = "model.layers." + l + ".";
            String a = p + "self_attn.";
            QkNorm qkNorm = spec.qkNorm()
                    ? new QkNorm(w.norm(rms, a + "q_norm.weight", spec.headDim()), w.norm(rms, a + "k_norm.weight", spec.headDim()))
                    : null;
            LinearWeight qkvProj = w.linear("qkv", d, projection(a + "q_proj", q, spec.attentionBias()),
                    projection(a + "k_proj", kv, spec.attentionBias()), projection(a + "v_proj", kv, spec.attentionBias()));
            layers[l] = new Layer(
                    w.norm(rms, p + "input_layernorm.weight", d),
                    qkvProj,
                    ops.attentionLayer(attention, qkNorm),
                    w.linear("o", q, Part.of(a + "o_proj.weight", d)),
                    w.norm(rms, p + "post_attention_layernorm.weight", d),
                    w.linear("gate_up", d, Part.of(p + "mlp.gate_proj.weight", inter), Part.of(p + "mlp.up_proj.weight", inter)),
                    w.linear("down", inter, Part.of(p + "mlp.down_proj.weight", d)));
        }
        this.finalNorm = w.norm(rms, "model.norm.weight", d);
        this.lmHead = spec.tieWordEmbeddings() && !w.has("lm_head.weight")
                ? w.tiedTo(embedding, "lm_head")
                : w.linear("lm_head", d, Part.of("lm_head.weight", spec.vocabSize()));

        this.x = ops.tensor("residual", FULL, Rows.TOKENS, d);
        this.h = ops.tensor("normed", COMPACT, Rows.TOKENS, d);
        this.qkv = ops.tensor("qkv", FULL, Rows.TOKENS, q, kv, kv);
        this.attended = ops.tensor("attended", COMPACT, Rows.TOKENS, q);
        this.gateUp = ops.tensor("gate_up", COMPACT, Rows.TOKENS, inter, inter);
        this.act = ops.gatedOutput("act", gateUp);
        this.last = ops.tensor("last_hidden", COMPACT, Rows.SAMPLED, d);
        this.logits = ops.logits(spec.vocabSize());
    }

    /** q_proj, k_proj or v_proj, with its bias where the model has them (Qwen2). */
    private static Part projection(String prefix, int rows, boolean bias) {
        return bias ? Part.withBias(prefix + ".weight", prefix + ".bias", rows) : Part.of(prefix + ".weight", rows);
    }

    @Override
    public void forward(ModelOps ops) {
        ops.embed(embedding, x);
        for (Layer l : layers) {
            ops.norm(l.inputNorm(), x, h);
            ops.linear(h, l.qkv(), qkv);
            ops.attention(l.attention(), qkv, attended);
            ops.linearIntoResidual(attended, l.o(), x);
            ops.norm(l.postNorm(), x, h);
            ops.linear(h, l.gateUp(), gateUp);
            ops.gatedActivation(Activation.SILU, gateUp, act);
            ops.linearIntoResidual(act, l.down(), x);
        }
        ops.norm(finalNorm, x, last);
        ops.linear(last, lmHead, logits);
    }
}
