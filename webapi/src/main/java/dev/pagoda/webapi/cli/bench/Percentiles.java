package dev.pagoda.webapi.cli.bench;

import java.util.Arrays;

/** Percentiles as numpy's default ({@code linear}) method computes them, so numbers match vLLM's scripts. */
final class Percentiles {

    private Percentiles() {}

    /** @param percent in [0, 100]; @param values at least one */
    static double of(double[] values, double percent) {
        if (values.length == 0) throw new IllegalArgumentException("no values to take a percentile of");
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double rank = percent / 100.0 * (sorted.length - 1);
        int low = (int) Math.floor(rank);
        int high = Math.min(low + 1, sorted.length - 1);
        return sorted[low] + (rank - low) * (sorted[high] - sorted[low]);
    }

    static double mean(double[] values) {
        if (values.length == 0) return Double.NaN;
        double sum = 0;
        for (double v : values) sum += v;
        return sum / values.length;
    }
}
