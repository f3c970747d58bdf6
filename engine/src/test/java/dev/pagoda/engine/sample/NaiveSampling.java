package dev.pagoda.engine.sample;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The sampling pipeline written the obvious way, in double precision, with full sorts: the
 * reference the optimised {@link Sampler} is compared against. Follows the formulas of vLLM's
 * sampler (and of the Sampler's class comment) step by step.
 */
final class NaiveSampling {

    private NaiveSampling() {
    }

    /** Logits after bias, min_tokens masking, repetition, frequency and presence penalties. */
    static double[] processedLogits(float[] raw, SamplingParams p, int[] prompt, int[] output, List<Integer> eos) {
        double[] l = new double[raw.length];
        for (int i = 0; i < raw.length; i++) l[i] = raw[i];
        for (Map.Entry<Integer, Float> e : p.logitBias().entrySet()) l[e.getKey()] += e.getValue();
        if (output.length < p.minTokens()) {
            for (int id : eos) l[id] = Double.NEGATIVE_INFINITY;
            for (int id : p.stopTokenIds()) l[id] = Double.NEGATIVE_INFINITY;
        }
        for (int id = 0; id < l.length; id++) {
            boolean seen = contains(prompt, id) || contains(output, id);
            if (seen) l[id] = l[id] > 0 ? l[id] / p.repetitionPenalty() : l[id] * p.repetitionPenalty();
            int count = 0;
            for (int t : output) if (t == id) count++;
            l[id] -= count * p.frequencyPenalty() + (count > 0 ? p.presencePenalty() : 0);
        }
        return l;
    }

    /** Exact probability of each token under temperature, top-k, top-p and min-p, in that order. */
    static double[] probabilities(double[] logits, SamplingParams p) {
        int v = logits.length;
        double[] scaled = new double[v];
        for (int i = 0; i < v; i++) scaled[i] = logits[i] / p.temperature();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < v; i++) order.add(i);
        order.sort(Comparator.<Integer>comparingDouble(i -> -scaled[i]).thenComparing(i -> i));

        boolean[] keep = new boolean[v];
        for (int i = 0; i < v; i++) keep[i] = scaled[i] > Double.NEGATIVE_INFINITY;
        if (p.topK() > 0 && p.topK() < v) {
            double kth = scaled[order.get(p.topK() - 1)];
            for (int i = 0; i < v; i++) keep[i] &= scaled[i] >= kth;
        }
        double[] probs = softmax(scaled, keep);
        if (p.topP() < 1) {
            double before = 0;
            for (int id : order) {
                if (!keep[id]) continue;
                if (before >= p.topP()) keep[id] = false;
                before += probs[id];
            }
            probs = softmax(scaled, keep);
        }
        if (p.minP() > 0) {
            double max = 0;
            for (double q : probs) max = Math.max(max, q);
            for (int i = 0; i < v; i++) keep[i] &= probs[i] >= p.minP() * max;
            probs = softmax(scaled, keep);
        }
        return probs;
    }

    static double[] logSoftmax(float[] raw) {
        double max = Double.NEGATIVE_INFINITY;
        for (float x : raw) max = Math.max(max, x);
        double sum = 0;
        for (float x : raw) sum += Math.exp(x - max);
        double lse = max + Math.log(sum);
        double[] out = new double[raw.length];
        for (int i = 0; i < raw.length; i++) out[i] = raw[i] - lse;
        return out;
    }

    private static double[] softmax(double[] scaled, boolean[] keep) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < scaled.length; i++) if (keep[i]) max = Math.max(max, scaled[i]);
        double sum = 0;
        double[] out = new double[scaled.length];
        for (int i = 0; i < scaled.length; i++) {
            if (keep[i]) {
                out[i] = Math.exp(scaled[i] - max);
                sum += out[i];
            }
        }
        for (int i = 0; i < scaled.length; i++) out[i] /= sum;
        return out;
    }

    private static boolean contains(int[] ids, int id) {
        for (int t : ids) if (t == id) return true;
        return false;
    }
}
