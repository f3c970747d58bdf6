package dev.pagoda.engine.cuda.kernels;

import java.util.Arrays;
import java.util.Comparator;

/**
 * The distribution dev.pagoda.engine.sample.Sampler draws from, computed naively with a full
 * sort (the reference the GPU sampler is measured against; the test also checks it against the
 * CPU Sampler's own draws): temperature, top-k with ties to the k-th kept, top-p most likely
 * first (ties by id) while the mass before a token is below p·total, min-p against the max
 * token's weight of 1.
 */
final class FilteredDistribution {

    private FilteredDistribution() {}

    /** Probabilities (vocab) of the filtered, renormalised distribution. */
    static double[] of(float[] logits, float temperature, int topK, float topP, float minP) {
        int v = logits.length;
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        float threshold = Float.NEGATIVE_INFINITY;
        if (topK > 0 && topK < v) {
            float[] sorted = logits.clone();
            Arrays.sort(sorted);
            threshold = sorted[v - topK];
        }
        float invT = (float) (1.0 / temperature);
        double[] w = new double[v];
        for (int i = 0; i < v; i++) w[i] = logits[i] >= threshold ? (float) Math.exp((logits[i] - max) * invT) : 0;
        if (topP < 1f) {
            double total = 0;
            for (double x : w) total += x;
            double target = topP * total;
            Integer[] order = new Integer[v];
            for (int i = 0; i < v; i++) order[i] = i;
            Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -w[i]).thenComparingInt(i -> i));
            double before = 0;
            boolean[] keep = new boolean[v];
            for (int id : order) {
                if (w[id] == 0 || before >= target) break;
                keep[id] = true;
                before += w[id];
            }
            for (int i = 0; i < v; i++) if (!keep[i]) w[i] = 0;
        }
        if (minP > 0) for (int i = 0; i < v; i++) if (w[i] < minP) w[i] = 0;
        double sum = 0;
        for (double x : w) sum += x;
        for (int i = 0; i < v; i++) w[i] /= sum;
        return w;
    }

    /** Total variation distance between draw counts and probabilities. */
    static double totalVariation(int[] counts, int draws, double[] p) {
        double tv = 0;
        for (int i = 0; i < p.length; i++) tv += Math.abs((double) counts[i] / draws - p[i]);
        return tv / 2;
    }

    /**
     * A bound the total variation of {@code draws} exact samples stays under with overwhelming
     * probability: twice its expectation, Σ sqrt(2 p (1 - p) / (π n)) / 2, plus slack for tiny n.
     */
    static double tvBound(double[] p, int draws) {
        double expected = 0;
        for (double x : p) expected += Math.sqrt(2 * x * (1 - x) / (Math.PI * draws));
        return expected + 4.0 / Math.sqrt(draws);
    }
}
