package dev.pagoda.engine.testing;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.tensor.WeightSource;
import java.util.HashMap;
import java.util.Map;

/**
 * The Llama-family forward pass the plain way, as transformers computes it for one whole
 * sequence: double precision, contiguous K/V, a full causal (optionally sliding-window) mask,
 * no batching, no paging. Written from the HF modeling code, not from the engine.
 */
public final class ReferenceLlama {

    private final ModelSpec c;
    private final WeightSource weights;
    private final Map<String, double[]> decoded = new HashMap<>();

    public ReferenceLlama(WeightSource weights) {
        this.weights = weights;
        this.c = weights.spec();
    }

    private double[] w(String name) {
        return decoded.computeIfAbsent(name, n -> NaiveTensors.decode(weights.tensor(n)));
    }

    /** Logits (seqLen, vocab) for every position of {@code tokens}. */
    public double[][] logits(int[] tokens) {
        int n = tokens.length;
        int d = c.hiddenSize();
        double[][] h = new double[n][d];
        double[] embed = w("model.embed_tokens.weight");
        for (int t = 0; t < n; t++) System.arraycopy(embed, tokens[t] * d, h[t], 0, d);
        double[] rope = TransformersRope.parameters(c, n);
        for (int l = 0; l < c.numLayers(); l++) {
            String p = "model.layers." + l + ".";
            double[][] x = new double[n][];
            for (int t = 0; t < n; t++) x[t] = rmsNorm(h[t], w(p + "input_layernorm.weight"));
            double[][] attn = selfAttention(p, x, rope);
            double[] o = w(p + "self_attn.o_proj.weight");
            for (int t = 0; t < n; t++) add(h[t], matVec(o, attn[t], d));
            for (int t = 0; t < n; t++) {
                double[] y = rmsNorm(h[t], w(p + "post_attention_layernorm.weight"));
                double[] g = matVec(w(p + "mlp.gate_proj.weight"), y, c.intermediateSize());
                double[] u = matVec(w(p + "mlp.up_proj.weight"), y, c.intermediateSize());
                for (int i = 0; i < g.length; i++) g[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
                add(h[t], matVec(w(p + "mlp.down_proj.weight"), g, d));
            }
        }
        String head = weights.has("lm_head.weight") ? "lm_head.weight" : "model.embed_tokens.weight";
        double[][] logits = new double[n][];
        for (int t = 0; t < n; t++) logits[t] = matVec(w(head), rmsNorm(h[t], w("model.norm.weight")), c.vocabSize());
        return logits;
    }

    /** Returns (seqLen, heads*headDim): attention output before o_proj. */
    private double[][] selfAttention(String p, double[][] x, double[] rope) {
        int n = x.length;
        int hd = c.headDim();
        double[][][] q = new double[n][][];
        double[][][] k = new double[n][][];
        double[][][] v = new double[n][][];
        for (int t = 0; t < n; t++) {
            q[t] = heads(project(p + "self_attn.q_proj", x[t], c.qDim()), c.numHeads());
            k[t] = heads(project(p + "self_attn.k_proj", x[t], c.kvDim()), c.numKvHeads());
            v[t] = heads(project(p + "self_attn.v_proj", x[t], c.kvDim()), c.numKvHeads());
            for (int h = 0; h < c.numHeads(); h++) {
                if (c.qkNorm()) q[t][h] = rmsNorm(q[t][h], w(p + "self_attn.q_norm.weight"));
                q[t][h] = TransformersRope.rotate(q[t][h], rope, t);
            }
            for (int h = 0; h < c.numKvHeads(); h++) {
                if (c.qkNorm()) k[t][h] = rmsNorm(k[t][h], w(p + "self_attn.k_norm.weight"));
                k[t][h] = TransformersRope.rotate(k[t][h], rope, t);
            }
        }
        int group = c.numHeads() / c.numKvHeads();
        double[][] out = new double[n][c.qDim()];
        for (int t = 0; t < n; t++) {
            for (int h = 0; h < c.numHeads(); h++) {
                int kvh = h / group;
                double[] scores = new double[t + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= t; j++) {
                    boolean masked = c.slidingWindow() != null && j <= t - c.slidingWindow();
                    scores[j] = masked ? Double.NEGATIVE_INFINITY : dot(q[t][h], k[j][kvh]) / Math.sqrt(hd);
                    max = Math.max(max, scores[j]);
                }
                double sum = 0;
                for (int j = 0; j <= t; j++) sum += scores[j] = Math.exp(scores[j] - max);
                for (int j = 0; j <= t; j++) {
                    for (int i = 0; i < hd; i++) out[t][h * hd + i] += scores[j] / sum * v[j][kvh][i];
                }
            }
        }
        return out;
    }

    private double[] project(String prefix, double[] x, int outDim) {
        double[] y = matVec(w(prefix + ".weight"), x, outDim);
        if (c.attentionBias()) add(y, w(prefix + ".bias"));
        return y;
    }

    private double[][] heads(double[] flat, int count) {
        int hd = c.headDim();
        double[][] out = new double[count][hd];
        for (int h = 0; h < count; h++) System.arraycopy(flat, h * hd, out[h], 0, hd);
        return out;
    }

    private double[] rmsNorm(double[] x, double[] weight) {
        double ss = 0;
        for (double v : x) ss += v * v;
        double inv = 1 / Math.sqrt(ss / x.length + c.rmsNormEps());
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) out[i] = x[i] * inv * weight[i];
        return out;
    }

    private static double[] matVec(double[] m, double[] x, int rows) {
        double[] y = new double[rows];
        for (int r = 0; r < rows; r++) y[r] = dotRow(m, r * x.length, x);
        return y;
    }

    private static double dotRow(double[] m, int off, double[] x) {
        double s = 0;
        for (int i = 0; i < x.length; i++) s += m[off + i] * x[i];
        return s;
    }

    private static double dot(double[] a, double[] b) {
        return dotRow(a, 0, b);
    }

    private static void add(double[] acc, double[] x) {
        for (int i = 0; i < acc.length; i++) acc[i] += x[i];
    }
}
