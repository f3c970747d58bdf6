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
 * A GPT-NeoX-shaped model file written over {@code ModelOps} as a newcomer would write a new
 * architecture — LayerNorms with biases, a biased fused QKV, RoPE over part of each head (and,
 * GPT-J style, interleaved), a parallel residual {@code x += attn(ln1(x)) + mlp(ln2(x))}, a GELU
 * MLP with biases — run on the CPU backend against a reference written from transformers'
 * {@code modeling_gpt_neox}. Shows that the ops cover these families; the catalog does not load
 * them yet.
 */
@ExtendWith(Workers.class)
class NeoxStyleModelTest {

    record Config(int hidden, int layers, int heads, int inter, int vocab, int rotaryDim, boolean interleaved, double eps, double theta) {
        int headDim() {
            return hidden / heads;
        }
    }

    /** The model file. */
    static final class NeoxStyle implements ModelDefinition {

        private record Layer(Norm ln1, Norm ln2, LinearWeight qkv, AttentionLayer attention, LinearWeight dense, LinearWeight up,
                             LinearWeight down) {}

        private final EmbeddingWeight embedding;
        private final Layer[] layers;
        private final Norm finalNorm;
        private final LinearWeight head;
        private final Tensor x; // (T, hidden) f32 residual
        private final Tensor h1; // (T, hidden) attention input
        private final Tensor h2; // (T, hidden) MLP input, from the same x (parallel residual)
        private final Tensor qkv; // (T, q | k | v) f32
        private final Tensor attended; // (T, hidden)
        private final Tensor mlp; // (T, inter)
        private final Tensor last; // (R, hidden)
        private final Tensor logits; // (R, vocab)

        NeoxStyle(Config c, ModelOps ops) {
            WeightLoader w = ops.weights();
            int d = c.hidden();
            NormSpec ln = NormSpec.layer(c.eps());
            RopeSpec rope = new RopeSpec(c.headDim(), c.rotaryDim(), c.interleaved() ? RopeStyle.INTERLEAVED : RopeStyle.ROTATE_HALF,
                    c.theta(), null, 64, null);
            AttentionSpec spec = new AttentionSpec(c.heads(), c.heads(), c.headDim(), AttentionSpec.defaultScale(c.headDim()), 0, 0f, rope);
            embedding = w.embedding("embed_in.weight", c.vocab(), d);
            layers = new Layer[c.layers()];
            for (int l = 0; l < layers.length; l++) {
                String p = "layers." + l + ".";
                layers[l] = new Layer(
                        w.norm(ln, p + "input_layernorm.weight", p + "input_layernorm.bias", d),
                        w.norm(ln, p + "post_attention_layernorm.weight", p + "post_attention_layernorm.bias", d),
                        w.linear("qkv", d, Part.withBias(p + "attention.q.weight", p + "attention.q.bias", d),
                                Part.withBias(p + "attention.k.weight", p + "attention.k.bias", d),
                                Part.withBias(p + "attention.v.weight", p + "attention.v.bias", d)),
                        ops.attentionLayer(spec, null),
                        w.linear("dense", d, Part.withBias(p + "attention.dense.weight", p + "attention.dense.bias", d)),
                        w.linear("h_to_4h", d, Part.withBias(p + "mlp.dense_h_to_4h.weight", p + "mlp.dense_h_to_4h.bias", c.inter())),
                        w.linear("4h_to_h", c.inter(), Part.withBias(p + "mlp.dense_4h_to_h.weight", p + "mlp.dense_4h_to_h.bias", d)));
            }
            finalNorm = w.norm(ln, "final_layer_norm.weight", "final_layer_norm.bias", d);
            head = w.linear("embed_out", d, Part.of("embed_out.weight", c.vocab()));
            x = ops.tensor("residual", FULL, Rows.TOKENS, d);
            h1 = ops.tensor("attention input", COMPACT, Rows.TOKENS, d);
            h2 = ops.tensor("mlp input", COMPACT, Rows.TOKENS, d);
            qkv = ops.tensor("qkv", FULL, Rows.TOKENS, d, d, d);
            attended = ops.tensor("attended", COMPACT, Rows.TOKENS, d);
            mlp = ops.tensor("mlp", COMPACT, Rows.TOKENS, c.inter());
            last = ops.tensor("last", COMPACT, Rows.SAMPLED, d);
            logits = ops.logits(c.vocab());
        }

        @Override
        public void forward(ModelOps ops) {
            ops.embed(embedding, x);
            for (Layer l : layers) {
                ops.norm(l.ln1(), x, h1);
                ops.norm(l.ln2(), x, h2);
                ops.linear(h1, l.qkv(), qkv);
                ops.attention(l.attention(), qkv, attended);
                ops.linearIntoResidual(attended, l.dense(), x);
                ops.linear(h2, l.up(), mlp);
                ops.activation(Activation.GELU, mlp);
                ops.linearIntoResidual(mlp, l.down(), x);
            }
            ops.norm(finalNorm, x, last);
            ops.linear(last, head, logits);
        }
    }

    private static RandomTensors weights(Config c, long seed) {
        RandomTensors w = RandomTensors.ofShape(c.hidden(), c.layers(), c.heads(), c.heads(), c.headDim(), c.vocab(), seed);
        int d = c.hidden();
        w.matrix("embed_in.weight", c.vocab(), d);
        for (int l = 0; l < c.layers(); l++) {
            String p = "layers." + l + ".";
            for (String norm : List.of("input_layernorm", "post_attention_layernorm")) w.norm(p + norm + ".weight", d, false).bias(p + norm + ".bias", d);
            for (String proj : List.of("q", "k", "v", "dense")) w.matrix(p + "attention." + proj + ".weight", d, d).bias(p + "attention." + proj + ".bias", d);
            w.matrix(p + "mlp.dense_h_to_4h.weight", c.inter(), d).bias(p + "mlp.dense_h_to_4h.bias", c.inter());
            w.matrix(p + "mlp.dense_4h_to_h.weight", d, c.inter()).bias(p + "mlp.dense_4h_to_h.bias", d);
        }
        w.norm("final_layer_norm.weight", d, false).bias("final_layer_norm.bias", d);
        w.matrix("embed_out.weight", c.vocab(), d);
        return w;
    }

    /** transformers' GPTNeoXForCausalLM with use_parallel_residual, one whole sequence, in double. */
    private static double[][] reference(Config c, RandomTensors w, int[] tokens) {
        int n = tokens.length;
        int d = c.hidden();
        int hd = c.headDim();
        double[][] x = NaiveOps.embed(w.values("embed_in.weight"), tokens, d);
        for (int l = 0; l < c.layers(); l++) {
            String p = "layers." + l + ".";
            double[][][] q = new double[n][][];
            double[][][] k = new double[n][][];
            double[][][] v = new double[n][][];
            double[][] mlpOut = new double[n][];
            for (int t = 0; t < n; t++) {
                double[] a = NaiveOps.layerNorm(x[t], w.values(p + "input_layernorm.weight"), w.values(p + "input_layernorm.bias"), c.eps());
                q[t] = NaiveOps.heads(NaiveOps.linear(w.values(p + "attention.q.weight"), w.values(p + "attention.q.bias"), a, d), c.heads(), hd);
                k[t] = NaiveOps.heads(NaiveOps.linear(w.values(p + "attention.k.weight"), w.values(p + "attention.k.bias"), a, d), c.heads(), hd);
                v[t] = NaiveOps.heads(NaiveOps.linear(w.values(p + "attention.v.weight"), w.values(p + "attention.v.bias"), a, d), c.heads(), hd);
                for (int h = 0; h < c.heads(); h++) {
                    q[t][h] = NaiveOps.rope(q[t][h], t, c.rotaryDim(), c.theta(), c.interleaved());
                    k[t][h] = NaiveOps.rope(k[t][h], t, c.rotaryDim(), c.theta(), c.interleaved());
                }
                double[] m = NaiveOps.layerNorm(x[t], w.values(p + "post_attention_layernorm.weight"),
                        w.values(p + "post_attention_layernorm.bias"), c.eps());
                double[] up = NaiveOps.linear(w.values(p + "mlp.dense_h_to_4h.weight"), w.values(p + "mlp.dense_h_to_4h.bias"), m, c.inter());
                for (int i = 0; i < up.length; i++) up[i] = NaiveOps.gelu(up[i]);
                mlpOut[t] = NaiveOps.linear(w.values(p + "mlp.dense_4h_to_h.weight"), w.values(p + "mlp.dense_4h_to_h.bias"), up, d);
            }
            double[][] attn = NaiveOps.attention(q, k, v, 1 / Math.sqrt(hd), 0, 0);
            for (int t = 0; t < n; t++) {
                NaiveOps.addInto(x[t], NaiveOps.linear(w.values(p + "attention.dense.weight"), w.values(p + "attention.dense.bias"), attn[t], d));
                NaiveOps.addInto(x[t], mlpOut[t]);
            }
        }
        double[][] logits = new double[n][];
        for (int t = 0; t < n; t++) {
            double[] f = NaiveOps.layerNorm(x[t], w.values("final_layer_norm.weight"), w.values("final_layer_norm.bias"), c.eps());
            logits[t] = NaiveOps.linear(w.values("embed_out.weight"), null, f, c.vocab());
        }
        return logits;
    }

    @ParameterizedTest(name = "interleaved RoPE: {0}")
    @ValueSource(booleans = {false, true})
    void theCpuBackendRunsItAsTransformersDoes(boolean interleaved, Parallel parallel) {
        Config c = new Config(64, 2, 4, 96, 53, 16, interleaved, 1e-5, 10000);
        Config quarter = new Config(c.hidden(), c.layers(), c.heads(), c.inter(), c.vocab(), c.headDim() / 4, interleaved, c.eps(), c.theta());
        for (Config config : List.of(quarter, c)) {
            RandomTensors w = weights(config, 5);
            ModelFileCheck.assertMatchesReference("rotary " + config.rotaryDim() + " of " + config.headDim(), w,
                    (spec, ops) -> new NeoxStyle(config, ops), config.vocab(), tokens -> reference(config, w, tokens), parallel, 9);
        }
    }
}
