package dev.pagoda.engine.model;

import static dev.pagoda.engine.model.ops.Precision.COMPACT;
import static dev.pagoda.engine.model.ops.Precision.FULL;

import dev.pagoda.engine.cpu.Parallel;
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
import dev.pagoda.engine.model.ops.RopeSpec;
import dev.pagoda.engine.model.ops.RopeStyle;
import dev.pagoda.engine.model.ops.Rows;
import dev.pagoda.engine.model.ops.Tensor;
import dev.pagoda.engine.model.ops.WeightLoader;
import dev.pagoda.engine.testing.NaiveOps;
import dev.pagoda.engine.testing.RandomTensors;
import dev.pagoda.engine.testing.Workers;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Gemma-2/3-shaped model file over {@code ModelOps}: {@code x·(1 + w)} RMSNorms, a √hidden
 * embedding scale, sandwich norms around attention and the MLP (added with {@link ModelOps#add}),
 * a GeGLU MLP (GELU-tanh gate), sliding-window layers alternating with global ones, a query
 * scale from {@code query_pre_attn_scalar}, attention and final-logit soft-capping (Gemma 2),
 * per-head q/k norms and a separate RoPE base for local layers (Gemma 3), a tied head — run on
 * the CPU backend against a reference written from transformers' {@code modeling_gemma2} and
 * {@code modeling_gemma3}. Shows the ops cover the family; the catalog does not load it yet.
 */
@ExtendWith(Workers.class)
class GemmaStyleModelTest {

    /**
     * @param gemma3 q/k norms, local RoPE base 10000 vs global {@code theta}, no soft-caps
     */
    record Config(int hidden, int layers, int heads, int kvHeads, int headDim, int inter, int vocab, int window, double queryScalar,
                  float attentionCap, float finalCap, double eps, double theta, boolean gemma3) {
        boolean local(int layer) {
            return layer % 2 == 0;
        }

        double theta(int layer) {
            return gemma3 && local(layer) ? 10000 : theta;
        }
    }

    /** The model file. */
    static final class GemmaStyle implements ModelDefinition {

        private record Layer(Norm inputNorm, LinearWeight qkv, AttentionLayer attention, LinearWeight o, Norm postAttentionNorm,
                             Norm preFeedforwardNorm, LinearWeight gateUp, LinearWeight down, Norm postFeedforwardNorm) {}

        private final Config c;
        private final EmbeddingWeight embedding;
        private final Layer[] layers;
        private final Norm finalNorm;
        private final LinearWeight head;
        private final Tensor x; // (T, hidden) f32 residual
        private final Tensor h; // (T, hidden) a sub-layer's input
        private final Tensor qkv; // (T, q | k | v) f32
        private final Tensor attended; // (T, heads·headDim)
        private final Tensor out; // (T, hidden) a sub-layer's output before its post-norm
        private final Tensor normedOut; // (T, hidden) the same after it: what the residual adds
        private final Tensor gateUp; // (T, gate | up)
        private final Tensor act; // (T, inter)
        private final Tensor last; // (R, hidden)
        private final Tensor logits; // (R, vocab)

        GemmaStyle(Config c, ModelOps ops) {
            this.c = c;
            WeightLoader w = ops.weights();
            int d = c.hidden();
            int q = c.heads() * c.headDim();
            int kv = c.kvHeads() * c.headDim();
            NormSpec norm = NormSpec.rmsPlusOne(c.eps());
            embedding = w.embedding("model.embed_tokens.weight", c.vocab(), d);
            layers = new Layer[c.layers()];
            for (int l = 0; l < layers.length; l++) {
                String p = "model.layers." + l + ".";
                String a = p + "self_attn.";
                RopeSpec rope = new RopeSpec(c.headDim(), c.headDim(), RopeStyle.ROTATE_HALF, c.theta(l), null, 64, null);
                AttentionSpec spec = new AttentionSpec(c.heads(), c.kvHeads(), c.headDim(), (float) (1 / Math.sqrt(c.queryScalar())),
                        c.local(l) ? c.window() : 0, c.attentionCap(), rope);
                QkNorm qkNorm = c.gemma3() ? new QkNorm(w.norm(norm, a + "q_norm.weight", c.headDim()), w.norm(norm, a + "k_norm.weight", c.headDim()))
                        : null;
                layers[l] = new Layer(
                        w.norm(norm, p + "input_layernorm.weight", d),
                        w.linear("qkv", d, Part.of(a + "q_proj.weight", q), Part.of(a + "k_proj.weight", kv), Part.of(a + "v_proj.weight", kv)),
                        ops.attentionLayer(spec, qkNorm),
                        w.linear("o", q, Part.of(a + "o_proj.weight", d)),
                        w.norm(norm, p + "post_attention_layernorm.weight", d),
                        w.norm(norm, p + "pre_feedforward_layernorm.weight", d),
                        w.linear("gate_up", d, Part.of(p + "mlp.gate_proj.weight", c.inter()), Part.of(p + "mlp.up_proj.weight", c.inter())),
                        w.linear("down", c.inter(), Part.of(p + "mlp.down_proj.weight", d)),
                        w.norm(norm, p + "post_feedforward_layernorm.weight", d));
            }
            finalNorm = w.norm(norm, "model.norm.weight", d);
            head = w.tiedTo(embedding, "lm_head");
            x = ops.tensor("residual", FULL, Rows.TOKENS, d);
            h = ops.tensor("normed", COMPACT, Rows.TOKENS, d);
            qkv = ops.tensor("qkv", FULL, Rows.TOKENS, q, kv, kv);
            attended = ops.tensor("attended", COMPACT, Rows.TOKENS, q);
            out = ops.tensor("sub-layer output", COMPACT, Rows.TOKENS, d);
            normedOut = ops.tensor("normed sub-layer output", COMPACT, Rows.TOKENS, d);
            gateUp = ops.tensor("gate_up", COMPACT, Rows.TOKENS, c.inter(), c.inter());
            act = ops.gatedOutput("act", gateUp);
            last = ops.tensor("last", COMPACT, Rows.SAMPLED, d);
            logits = ops.logits(c.vocab());
        }

        @Override
        public void forward(ModelOps ops) {
            ops.embed(embedding, x);
            ops.scale(x, (float) Math.sqrt(c.hidden()));
            for (Layer l : layers) {
                ops.norm(l.inputNorm(), x, h);
                ops.linear(h, l.qkv(), qkv);
                ops.attention(l.attention(), qkv, attended);
                ops.linear(attended, l.o(), out);
                ops.norm(l.postAttentionNorm(), out, normedOut);
                ops.add(normedOut, x);
                ops.norm(l.preFeedforwardNorm(), x, h);
                ops.linear(h, l.gateUp(), gateUp);
                ops.gatedActivation(Activation.GELU_TANH, gateUp, act);
                ops.linear(act, l.down(), out);
                ops.norm(l.postFeedforwardNorm(), out, normedOut);
                ops.add(normedOut, x);
            }
            ops.norm(finalNorm, x, last);
            ops.linear(last, head, logits);
            if (c.finalCap() > 0) ops.softCap(logits, c.finalCap());
        }
    }

    private static RandomTensors weights(Config c, long seed) {
        RandomTensors w = RandomTensors.ofShape(c.hidden(), c.layers(), c.heads(), c.kvHeads(), c.headDim(), c.vocab(), seed);
        int d = c.hidden();
        int q = c.heads() * c.headDim();
        int kv = c.kvHeads() * c.headDim();
        w.matrix("model.embed_tokens.weight", c.vocab(), d);
        for (int l = 0; l < c.layers(); l++) {
            String p = "model.layers." + l + ".";
            for (String n : List.of("input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm", "post_feedforward_layernorm")) {
                w.norm(p + n + ".weight", d, true);
            }
            w.matrix(p + "self_attn.q_proj.weight", q, d).matrix(p + "self_attn.k_proj.weight", kv, d).matrix(p + "self_attn.v_proj.weight", kv, d);
            w.matrix(p + "self_attn.o_proj.weight", d, q);
            if (c.gemma3()) w.norm(p + "self_attn.q_norm.weight", c.headDim(), true).norm(p + "self_attn.k_norm.weight", c.headDim(), true);
            w.matrix(p + "mlp.gate_proj.weight", c.inter(), d).matrix(p + "mlp.up_proj.weight", c.inter(), d).matrix(p + "mlp.down_proj.weight", d, c.inter());
        }
        w.norm("model.norm.weight", d, true);
        return w;
    }

    /** transformers' Gemma2ForCausalLM / Gemma3ForCausalLM (text), one whole sequence, in double. */
    private static double[][] reference(Config c, RandomTensors w, int[] tokens) {
        int n = tokens.length;
        int d = c.hidden();
        int hd = c.headDim();
        double[][] x = NaiveOps.embed(w.values("model.embed_tokens.weight"), tokens, d);
        for (double[] row : x) for (int i = 0; i < d; i++) row[i] *= Math.sqrt(d);
        for (int l = 0; l < c.layers(); l++) {
            String p = "model.layers." + l + ".";
            String a = p + "self_attn.";
            double[][][] q = new double[n][][];
            double[][][] k = new double[n][][];
            double[][][] v = new double[n][][];
            for (int t = 0; t < n; t++) {
                double[] h = NaiveOps.rmsNorm(x[t], w.values(p + "input_layernorm.weight"), c.eps(), 1);
                q[t] = NaiveOps.heads(NaiveOps.linear(w.values(a + "q_proj.weight"), null, h, c.heads() * hd), c.heads(), hd);
                k[t] = NaiveOps.heads(NaiveOps.linear(w.values(a + "k_proj.weight"), null, h, c.kvHeads() * hd), c.kvHeads(), hd);
                v[t] = NaiveOps.heads(NaiveOps.linear(w.values(a + "v_proj.weight"), null, h, c.kvHeads() * hd), c.kvHeads(), hd);
                for (int i = 0; i < c.heads(); i++) {
                    if (c.gemma3()) q[t][i] = NaiveOps.rmsNorm(q[t][i], w.values(a + "q_norm.weight"), c.eps(), 1);
                    q[t][i] = NaiveOps.rope(q[t][i], t, hd, c.theta(l), false);
                }
                for (int i = 0; i < c.kvHeads(); i++) {
                    if (c.gemma3()) k[t][i] = NaiveOps.rmsNorm(k[t][i], w.values(a + "k_norm.weight"), c.eps(), 1);
                    k[t][i] = NaiveOps.rope(k[t][i], t, hd, c.theta(l), false);
                }
            }
            double[][] attn = NaiveOps.attention(q, k, v, 1 / Math.sqrt(c.queryScalar()), c.local(l) ? c.window() : 0, c.attentionCap());
            for (int t = 0; t < n; t++) {
                double[] o = NaiveOps.linear(w.values(a + "o_proj.weight"), null, attn[t], d);
                NaiveOps.addInto(x[t], NaiveOps.rmsNorm(o, w.values(p + "post_attention_layernorm.weight"), c.eps(), 1));
                double[] h = NaiveOps.rmsNorm(x[t], w.values(p + "pre_feedforward_layernorm.weight"), c.eps(), 1);
                double[] g = NaiveOps.linear(w.values(p + "mlp.gate_proj.weight"), null, h, c.inter());
                double[] u = NaiveOps.linear(w.values(p + "mlp.up_proj.weight"), null, h, c.inter());
                for (int i = 0; i < g.length; i++) g[i] = NaiveOps.geluTanh(g[i]) * u[i];
                double[] m = NaiveOps.linear(w.values(p + "mlp.down_proj.weight"), null, g, d);
                NaiveOps.addInto(x[t], NaiveOps.rmsNorm(m, w.values(p + "post_feedforward_layernorm.weight"), c.eps(), 1));
            }
        }
        double[][] logits = new double[n][];
        for (int t = 0; t < n; t++) {
            double[] f = NaiveOps.rmsNorm(x[t], w.values("model.norm.weight"), c.eps(), 1);
            logits[t] = NaiveOps.linear(w.values("model.embed_tokens.weight"), null, f, c.vocab());
            if (c.finalCap() > 0) for (int i = 0; i < logits[t].length; i++) logits[t][i] = c.finalCap() * Math.tanh(logits[t][i] / c.finalCap());
        }
        return logits;
    }

    @ParameterizedTest(name = "gemma3: {0}")
    @ValueSource(booleans = {false, true})
    void theCpuBackendRunsItAsTransformersDoes(boolean gemma3, Parallel parallel) {
        Config c = gemma3
                ? new Config(32, 4, 4, 2, 16, 48, 53, 4, 16, 0f, 0f, 1e-6, 1_000_000, true)
                : new Config(32, 4, 4, 2, 16, 48, 53, 4, 24, 2f, 3f, 1e-6, 10000, false); // small caps: they bind on these logits
        RandomTensors w = weights(c, gemma3 ? 3 : 4);
        ModelFileCheck.assertMatchesReference(gemma3 ? "gemma3" : "gemma2", w, (spec, ops) -> new GemmaStyle(c, ops), c.vocab(),
                tokens -> reference(c, w, tokens), parallel, 11);
    }
}
