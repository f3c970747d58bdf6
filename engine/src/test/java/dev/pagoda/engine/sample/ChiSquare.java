package dev.pagoda.engine.sample;

import java.util.ArrayList;
import java.util.List;

/** Pearson's goodness-of-fit test of observed counts against exact probabilities. */
final class ChiSquare {

    /** Standard normal quantile for a one-sided tail of 1e-6: failures by chance are negligible. */
    private static final double Z = 4.753;

    private ChiSquare() {
    }

    /**
     * Returns null when the counts fit, else a description. Tokens of probability 0 must have no
     * samples; tokens expected fewer than 5 times are pooled into one cell, as the test requires.
     */
    static String misfit(long[] observed, double[] probabilities, long draws) {
        List<double[]> cells = new ArrayList<>(); // {observed, expected}
        double pooledObserved = 0, pooledExpected = 0;
        for (int i = 0; i < observed.length; i++) {
            double expected = probabilities[i] * draws;
            if (probabilities[i] == 0) {
                if (observed[i] != 0) return "token " + i + " has probability 0 but was drawn " + observed[i] + " times";
                continue;
            }
            if (expected < 5) {
                pooledObserved += observed[i];
                pooledExpected += expected;
            } else {
                cells.add(new double[] {observed[i], expected});
            }
        }
        if (pooledExpected > 0) cells.add(new double[] {pooledObserved, pooledExpected});
        if (cells.size() < 2) return null; // one cell: all mass in it, nothing to test beyond the zeros
        double statistic = 0;
        for (double[] c : cells) statistic += (c[0] - c[1]) * (c[0] - c[1]) / c[1];
        int df = cells.size() - 1;
        // Wilson–Hilferty approximation of the chi-square quantile.
        double a = 2.0 / (9.0 * df);
        double critical = df * Math.pow(1 - a + Z * Math.sqrt(a), 3);
        return statistic <= critical ? null
                : String.format("chi-square %.1f exceeds %.1f (df %d)", statistic, critical, df);
    }
}
