package dev.pagoda.webapi.bench.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The statistics of the report against values worked out by hand with numpy's definitions
 * (np.mean, np.median, np.std with ddof 0, np.percentile with linear interpolation).
 */
class SummaryTest {

    private static final double EPS = 1e-12;

    @Test
    void fourValuesInterpolateBetweenRanks() {
        // sorted 1,2,3,4: median = (2+3)/2; p99 rank 0.99*3 = 2.97 -> 3 + 0.97*(4-3); std = sqrt(1.25)
        Summary s = Summary.of(List.of(4.0, 1.0, 3.0, 2.0));
        assertEquals(2.5, s.mean(), EPS);
        assertEquals(2.5, s.median(), EPS);
        assertEquals(3.97, s.p99(), EPS);
        assertEquals(Math.sqrt(1.25), s.std(), EPS);
    }

    @Test
    void textbookStandardDeviation() {
        // mean 5, squared deviations 9,1,1,1,0,0,4,16 sum 32, /8 = 4 -> std 2; median (4+5)/2;
        // p99 rank 0.99*7 = 6.93 -> 7 + 0.93*(9-7) = 8.86
        Summary s = Summary.of(List.of(2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0));
        assertEquals(5.0, s.mean(), EPS);
        assertEquals(2.0, s.std(), EPS);
        assertEquals(4.5, s.median(), EPS);
        assertEquals(8.86, s.p99(), 1e-9);
    }

    @Test
    void oddCountMedianIsTheMiddleValue() {
        // sorted 10, 20, 60: median 20; p99 rank 1.98 -> 20 + 0.98*40 = 59.2
        Summary s = Summary.of(List.of(60.0, 10.0, 20.0));
        assertEquals(30.0, s.mean(), EPS);
        assertEquals(20.0, s.median(), EPS);
        assertEquals(59.2, s.p99(), 1e-9);
    }

    @Test
    void hundredValuesP99() {
        // 1..100: rank 0.99*99 = 98.01 -> x[98] + 0.01*(x[99]-x[98]) = 99 + 0.01 = 99.01; median 50.5
        List<Double> xs = new ArrayList<>();
        for (int i = 100; i >= 1; i--) xs.add((double) i);
        Summary s = Summary.of(xs);
        assertEquals(99.01, s.p99(), 1e-9);
        assertEquals(50.5, s.median(), EPS);
        assertEquals(50.5, s.mean(), EPS);
    }

    @Test
    void oneValueAndNoValue() {
        assertEquals(new Summary(7, 7, 0, 7), Summary.of(List.of(7.0)));
        assertEquals(new Summary(0, 0, 0, 0), Summary.of(List.of()), "vLLM reports zeros when nothing was measured");
    }

    @Test
    void percentileEndsAreMinAndMax() {
        double[] sorted = {1, 5, 9};
        assertEquals(1, Summary.percentile(sorted, 0), EPS);
        assertEquals(9, Summary.percentile(sorted, 100), EPS);
        assertEquals(3, Summary.percentile(sorted, 25), EPS); // rank 0.5
        assertThrows(IllegalArgumentException.class, () -> Summary.percentile(sorted, 101));
        assertThrows(IllegalArgumentException.class, () -> Summary.percentile(new double[0], 50));
    }

    /** Against a naive definition: the p-th percentile is where the piecewise-linear curve through (i/(n-1), x_i) stands. */
    @Test
    void matchesNaiveInterpolationOverSeeds() {
        for (long seed = 0; seed < 200; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            int n = 1 + random.nextInt(50);
            List<Double> xs = new ArrayList<>();
            for (int i = 0; i < n; i++) xs.add(random.nextDouble() * 100);
            double p = random.nextDouble() * 100;
            double[] sorted = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            assertEquals(naive(sorted, p), Summary.percentile(sorted, p), 1e-9, "seed " + seed);
        }
    }

    private static double naive(double[] sorted, double p) {
        if (sorted.length == 1) return sorted[0];
        double q = p / 100;
        for (int i = 0; i + 1 < sorted.length; i++) {
            double q0 = i / (double) (sorted.length - 1), q1 = (i + 1) / (double) (sorted.length - 1);
            if (q <= q1) return sorted[i] + (sorted[i + 1] - sorted[i]) * (q - q0) / (q1 - q0);
        }
        return sorted[sorted.length - 1];
    }
}
