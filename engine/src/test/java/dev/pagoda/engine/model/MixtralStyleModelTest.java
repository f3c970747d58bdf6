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
import dev.pagoda.engine.model.ops.MoeLayer;
import dev.pagoda.engine.model.ops.MoeSpec;
import dev.pagoda.engine.model.ops.MoeWeights;
import dev.pagoda.engine.model.ops.Norm;
import dev.pagoda.engine.model.ops.NormSpec;
import dev.pagoda.engine.model.ops.Part;
import dev.pagoda.engine.model.ops.RopeSpec;
import dev.pagoda.engine.model.ops.Rows;
import dev.pagoda.engine.model.ops.Tensor;
import dev.pagoda.engine.model.ops.WeightLoader;
import dev.pagoda.engine.testing.NaiveOps;
import dev.pagoda.engine.testing.RandomTensors;
import dev.pagoda.engine.testing.Workers;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Mixtral/Qwen3-MoE-shaped model file over {@code ModelOps}: Llama attention, then a
 * mixture-of-experts MLP (top-k of the router's softmax, renormalised as Mixtral does or not as
 * Qwen3-MoE may be configured) added to the residual — run on the CPU backend against a reference
 * written from transformers' {@code MixtralSparseMoeBlock}. Shows the ops cover MoE; the catalog
 * does not load these families yet.
 */
@ExtendWith(Workers.class)
class MixtralStyleModelTest {

    record Config(int hidden, int layers, int heads, int kvHeads, int inter, int vocab, int experts, int topK, boolean normalize,
                  double eps, double theta) {
        int headDim() {
            return hidden / heads;
        }
    }

    /** The model file. */
    static final class MixtralStyle implements ModelDefinition {

        private record Layer(Norm inputNorm, LinearWeight qkv, AttentionLayer attention, LinearWeight o, Norm postNorm, MoeLayer moe) {}

        private final EmbeddingWeight embedding;
        private final Layer[] layers;
        private final Norm finalNorm;
        private final LinearWeight head;
        private final Tensor x; // (T, hidden) f32 residual
        private final Tensor h; // (T, hidden)
        private final Tensor qkv; // (T, q | k | v)
        private final Tensor attended; // (T, hidden)
        private final Tensor experts; // (T, hidden): the MoE output
        private final Tensor last; // (R, hidden)
        private final Tensor logits; // (R, vocab)

        MixtralStyle(Config c, ModelOps ops) {
            WeightLoader w = ops.weights();
            int d = c.hidden();
            int kv = c.kvHeads() * c.headDim();
            NormSpec rms = NormSpec.rms(c.eps());
            RopeSpec rope = new RopeSpec(c.headDim(), c.headDim(), dev.pagoda.engine.model.ops.RopeStyle.ROTATE_HALF, c.theta(), null, 64, null);
            AttentionSpec spec = new AttentionSpec(c.heads(), c.kvHeads(), c.headDim(), AttentionSpec.defaultScale(c.headDim()), 0, 0f, rope);
            MoeSpec moe = new MoeSpec(c.experts(), c.topK(), c.normalize(), Activation.SILU);
            embedding = w.embedding("model.embed_tokens.weight", c.vocab(), d);
            layers = new Layer[c.layers()];
            for (int l = 0; l < layers.length; l++) {
                String p = "model.layers." + l + ".";
                String a = p + "self_attn.";
                String m = p + "block_sparse_moe.";
                layers[l] = new Layer(
                        w.norm(rms, p + "input_layernorm.weight", d),
                        w.linear("qkv", d, Part.of(a + "q_proj.weight", d), Part.of(a + "k_proj.weight", kv), Part.of(a + "v_proj.weight", kv)),
                        ops.attentionLayer(spec, null),
                        w.linear("o", d, Part.of(a + "o_proj.weight", d)),
                        w.norm(rms, p + "post_attention_layernorm.weight", d),
                        ops.moeLayer(moe, new MoeWeights(m + "gate.weight", e -> m + "experts." + e + ".w1.weight",
                                e -> m + "experts." + e + ".w3.weight", e -> m + "experts." + e + ".w2.weight"), d, c.inter()));
            }
            finalNorm = w.norm(rms, "model.norm.weight", d);
            head = w.linear("lm_head", d, Part.of("lm_head.weight", c.vocab()));
            x = ops.tensor("residual", FULL, Rows.TOKENS, d);
            h = ops.tensor("normed", COMPACT, Rows.TOKENS, d);
            qkv = ops.tensor("qkv", FULL, Rows.TOKENS, d, kv, kv);
            attended = ops.tensor("attended", COMPACT, Rows.TOKENS, d);
            experts = ops.tensor("experts", COMPACT, Rows.TOKENS, d);
            last = ops.tensor("last", COMPACT, Rows.SAMPLED, d);
            logits = ops.logits(c.vocab());
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
                ops.moe(l.moe(), h, experts);
                ops.add(experts, x);
            }
            ops.norm(finalNorm, x, last);
            ops.linear(last, head, logits);
        }
    }

    private static RandomTensors weights(Config c, long seed) {
        RandomTensors w = RandomTensors.ofShape(c.hidden(), c.layers(), c.heads(), c.kvHeads(), c.headDim(), c.vocab(), seed);
        int d = c.hidden();
        int kv = c.kvHeads() * c.headDim();
        w.matrix("model.embed_tokens.weight", c.vocab(), d);
        for (int l = 0; l < c.layers(); l++) {
            String p = "model.layers." + l + ".";
            w.norm(p + "input_layernorm.weight", d, false).norm(p + "post_attention_layernorm.weight", d, false);
            w.matrix(p + "self_attn.q_proj.weight", d, d).matrix(p + "self_attn.k_proj.weight", kv, d).matrix(p + "self_attn.v_proj.weight", kv, d);
            w.matrix(p + "self_attn.o_proj.weight", d, d);
            String m = p + "block_sparse_moe.";
            w.matrix(m + "gate.weight", c.experts(), d);
            for (int e = 0; e < c.experts(); e++) {
                w.matrix(m + "experts." + e + ".w1.weight", c.inter(), d).matrix(m + "experts." + e + ".w3.weight", c.inter(), d);
                w.matrix(m + "experts." + e + ".w2.weight", d, c.inter());
            }
        }
        w.norm("model.norm.weight", d, false).matrix("lm_head.weight", c.vocab(), d);
        return w;
    }

    /** MixtralSparseMoeBlock for one token: softmax over the router, top-k, optionally renormalised. */
    private static double[] moe(Config c, RandomTensors w, String m, double[] h) {
        double[] router = NaiveOps.linear(w.values(m + "gate.weight"), null, h, c.experts());
        double max = Arrays.stream(router).max().orElseThrow();
        double[] p = new double[c.experts()];
        double sum = 0;
        for (int e = 0; e < p.length; e++) sum += p[e] = Math.exp(router[e] - max);
        for (int e = 0; e < p.length; e++) p[e] /= sum;
        Integer[] order = new Integer[c.experts()];
        for (int e = 0; e < order.length; e++) order[e] = e;
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        double chosen = 0;
        for (int k = 0; k < c.topK(); k++) chosen += p[order[k]];
        double[] out = new double[c.hidden()];
        for (int k = 0; k < c.topK(); k++) {
            int e = order[k];
            double[] g = NaiveOps.linear(w.values(m + "experts." + e + ".w1.weight"), null, h, c.inter());
            double[] u = NaiveOps.linear(w.values(m + "experts." + e + ".w3.weight"), null, h, c.inter());
            for (int i = 0; i < g.length; i++) g[i] = NaiveOps.silu(g[i]) * u[i];
            double[] y = NaiveOps.linear(w.values(m + "experts." + e + ".w2.weight"), null, g, c.hidden());
            double weight = c.normalize() ? p[e] / chosen : p[e];
            for (int i = 0; i < out.length; i++) out[i] += weight * y[i];
        }
        return out;
    }

    /** transformers' MixtralForCausalLM, one whole sequence, in double. */
    private static double[][] reference(Config c, RandomTensors w, int[] tokens) {
        int n = tokens.length;
        int d = c.hidden();
        int hd = c.headDim();
        double[][] x = NaiveOps.embed(w.values("model.embed_tokens.weight"), tokens, d);
        for (int l = 0; l < c.layers(); l++) {
            String p = "model.layers." + l + ".";
            String a = p + "self_attn.";
            double[][][] q = new double[n][][];
            double[][][] k = new double[n][][];
            double[][][] v = new double[n][][];
            for (int t = 0; t < n; t++) {
                double[] h = NaiveOps.rmsNorm(x[t], w.values(p + "input_layernorm.weight"), c.eps(), 0);
                q[t] = NaiveOps.heads(NaiveOps.linear(w.values(a + "q_proj.weight"), null, h, d), c.heads(), hd);
                k[t] = NaiveOps.heads(NaiveOps.linear(w.values(a + "k_proj.weight"), null, h, c.kvHeads() * hd), c.kvHeads(), hd);
                v[t] = NaiveOps.heads(NaiveOps.linear(w.values(a + "v_proj.weight"), null, h, c.kvHeads() * hd), c.kvHeads(), hd);
                for (int i = 0; i < c.heads(); i++) q[t][i] = NaiveOps.rope(q[t][i], t, hd, c.theta(), false);
                for (int i = 0; i < c.kvHeads(); i++) k[t][i] = NaiveOps.rope(k[t][i], t, hd, c.theta(), false);
            }
            double[][] attn = NaiveOps.attention(q, k, v, 1 / Math.sqrt(hd), 0, 0);
            for (int t = 0; t < n; t++) {
                NaiveOps.addInto(x[t], NaiveOps.linear(w.values(a + "o_proj.weight"), null, attn[t], d));
                double[] h = NaiveOps.rmsNorm(x[t], w.values(p + "post_attention_layernorm.weight"), c.eps(), 0);
                NaiveOps.addInto(x[t], moe(c, w, p + "block_sparse_moe.", h));
            }
        }
        double[][] logits = new double[n][];
        for (int t = 0; t < n; t++) {
            logits[t] = NaiveOps.linear(w.values("lm_head.weight"), null, NaiveOps.rmsNorm(x[t], w.values("model.norm.weight"), c.eps(), 0), c.vocab());
        }
        return logits;
    }

    @ParameterizedTest(name = "renormalised top-k: {0}")
    @ValueSource(booleans = {true, false})
    void theCpuBackendRunsItAsTransformersDoes(boolean normalize, Parallel parallel) {
        Config c = new Config(32, 2, 4, 2, 40, 53, 4, 2, normalize, 1e-5, 10000);
        RandomTensors w = weights(c, normalize ? 6 : 7);
        ModelFileCheck.assertMatchesReference("mixtral", w, (spec, ops) -> new MixtralStyle(c, ops), c.vocab(),
                tokens -> reference(c, w, tokens), parallel, 13);
    }
}
