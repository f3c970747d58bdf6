package dev.pagoda.webapi.bench.serve;

import java.util.Arrays;
import java.util.List;

/**
 * Mean, median, standard deviation and 99th percentile of one latency list, in the list's unit,
 * computed as numpy does for vLLM's report: population standard deviation, percentiles by linear
 * interpolation between the two nearest ranks. An empty list gives zeros (vLLM's {@code xs or 0}).
 */
public record Summary(double mean, double median, double std, double p99) {

    public static Summary of(List<Double> values) {
        if (values.isEmpty()) return new Summary(0, 0, 0, 0);
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double mean = Arrays.stream(sorted).sum() / sorted.length;
        double squares = 0;
        for (double v : sorted) squares += (v - mean) * (v - mean);
        return new Summary(mean, percentile(sorted, 50), Math.sqrt(squares / sorted.length), percentile(sorted, 99));
    }

    /** numpy's default ("linear") percentile of ascending {@code sorted}: rank p/100·(n−1), interpolated. */
    public static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) throw new IllegalArgumentException("percentile of an empty list");
        if (p < 0 || p > 100) throw new IllegalArgumentException("percentile must be in [0, 100], got " + p);
        double rank = p / 100 * (sorted.length - 1);
        int below = (int) Math.floor(rank);
        int above = (int) Math.ceil(rank);
        return sorted[below] + (sorted[above] - sorted[below]) * (rank - below);
    }

    public Summary times(double factor) {
        return new Summary(mean * factor, median * factor, std * factor, p99 * factor);
    }
}
