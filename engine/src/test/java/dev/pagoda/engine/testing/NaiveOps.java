package dev.pagoda.engine.testing;

/**
 * The operations of transformer decoders the plain way, in double, one sequence at a time with
 * contiguous K/V: what the reference forward passes of test model files are written from. Each
 * follows the transformers code it names, not the engine.
 */
public final class NaiveOps {

    private NaiveOps() {}

    /** y (rows) = m (rows, x.length) · x (+ bias). */
    public static double[] linear(double[] m, double[] bias, double[] x, int rows) {
        double[] y = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = bias == null ? 0 : bias[r];
            for (int i = 0; i < x.length; i++) s += m[r * x.length + i] * x[i];
            y[r] = s;
        }
        return y;
    }

    /** LlamaRMSNorm (offset 0) or GemmaRMSNorm (offset 1: {@code x·(1 + w)}). */
    public static double[] rmsNorm(double[] x, double[] w, double eps, double offset) {
        double ss = 0;
        for (double v : x) ss += v * v;
        double inv = 1 / Math.sqrt(ss / x.length + eps);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) out[i] = x[i] * inv * (offset + w[i]);
        return out;
    }

    /** nn.LayerNorm: biased variance. */
    public static double[] layerNorm(double[] x, double[] w, double[] b, double eps) {
        double mean = 0;
        for (double v : x) mean += v;
        mean /= x.length;
        double var = 0;
        for (double v : x) var += (v - mean) * (v - mean);
        var /= x.length;
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) out[i] = (x[i] - mean) / Math.sqrt(var + eps) * w[i] + (b == null ? 0 : b[i]);
        return out;
    }

    /** nn.GELU(): x·Φ(x) = 0.5·x·(1 + erf(x/√2)). */
    public static double gelu(double x) {
        return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }

    /** erf as its integral 2/√π ∫₀ᶻ e^(−t²) dt by Simpson's rule (±1 to double precision beyond |z| = 6). */
    static double erf(double z) {
        if (Math.abs(z) > 6) return Math.signum(z);
        int n = 2000;
        double h = z / n;
        double sum = 1 + Math.exp(-z * z);
        for (int i = 1; i < n; i++) sum += (i % 2 == 1 ? 4 : 2) * Math.exp(-(i * h) * (i * h));
        return 2 / Math.sqrt(Math.PI) * sum * h / 3;
    }

    /** gelu_pytorch_tanh. */
    public static double geluTanh(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    public static double silu(double x) {
        return x / (1 + Math.exp(-x));
    }

    /**
     * transformers' RoPE on the first {@code rotaryDim} dimensions of a head at {@code position}
     * with the default frequencies {@code base^(-2i/rotaryDim)}: rotate_half pairs (i, i + r/2),
     * interleaved pairs (2i, 2i + 1); the other dimensions pass through.
     */
    public static double[] rope(double[] head, int position, int rotaryDim, double base, boolean interleaved) {
        double[] out = head.clone();
        int half = rotaryDim / 2;
        for (int i = 0; i < half; i++) {
            double angle = position * Math.pow(base, -2.0 * i / rotaryDim);
            double c = Math.cos(angle);
            double s = Math.sin(angle);
            int a = interleaved ? 2 * i : i;
            int b = interleaved ? 2 * i + 1 : i + half;
            out[a] = head[a] * c - head[b] * s;
            out[b] = head[b] * c + head[a] * s;
        }
        return out;
    }

    /**
     * Causal attention of one sequence: q (n, heads, d), k and v (n, kvHeads, d), each query
     * sees the keys up to its position (the last {@code window} of them when window > 0),
     * scores {@code q·k·scale}, soft-capped as {@code cap·tanh(s/cap)} when cap > 0. Returns
     * (n, heads·d).
     */
    public static double[][] attention(double[][][] q, double[][][] k, double[][][] v, double scale, int window, double cap) {
        int n = q.length;
        int heads = q[0].length;
        int kvHeads = k[0].length;
        int d = q[0][0].length;
        double[][] out = new double[n][heads * d];
        for (int t = 0; t < n; t++) {
            for (int h = 0; h < heads; h++) {
                int kvh = h / (heads / kvHeads);
                double[] p = new double[t + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= t; j++) {
                    if (window > 0 && j <= t - window) {
                        p[j] = Double.NEGATIVE_INFINITY;
                        continue;
                    }
                    double s = 0;
                    for (int i = 0; i < d; i++) s += q[t][h][i] * k[j][kvh][i];
                    s *= scale;
                    if (cap > 0) s = cap * Math.tanh(s / cap);
                    p[j] = s;
                    max = Math.max(max, s);
                }
                double sum = 0;
                for (int j = 0; j <= t; j++) sum += p[j] = Math.exp(p[j] - max);
                for (int j = 0; j <= t; j++) for (int i = 0; i < d; i++) out[t][h * d + i] += p[j] / sum * v[j][kvh][i];
            }
        }
        return out;
    }

    /** Rows of a (vocab, d) embedding table for each token. */
    public static double[][] embed(double[] table, int[] tokens, int d) {
        double[][] x = new double[tokens.length][];
        for (int t = 0; t < tokens.length; t++) x[t] = java.util.Arrays.copyOfRange(table, tokens[t] * d, (tokens[t] + 1) * d);
        return x;
    }

    /** Splits (count·d) into count heads of d. */
    public static double[][] heads(double[] flat, int count, int d) {
        double[][] out = new double[count][d];
        for (int h = 0; h < count; h++) System.arraycopy(flat, h * d, out[h], 0, d);
        return out;
    }

    public static void addInto(double[] acc, double[] x) {
        for (int i = 0; i < acc.length; i++) acc[i] += x[i];
    }
}
