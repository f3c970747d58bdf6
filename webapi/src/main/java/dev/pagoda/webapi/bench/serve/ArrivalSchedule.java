package dev.pagoda.webapi.bench.serve;

import java.util.SplittableRandom;

/**
 * When each request is sent, in seconds after the start: a Poisson process (exponential gaps at the
 * rate), seeded. As vLLM does, the offsets are then scaled so the last one lands exactly at N / rate:
 * a plain sum of random gaps misses that by a few percent, and throughput would move with the seed.
 */
public final class ArrivalSchedule {

    private ArrivalSchedule() {}

    /** Send offsets in seconds, non-decreasing; all zero for an infinite rate. */
    public static double[] offsets(int count, double rate, long seed) {
        double[] at = new double[count];
        if (Double.isInfinite(rate)) return at;
        SplittableRandom random = new SplittableRandom(seed);
        double t = 0;
        for (int i = 0; i < count; i++) {
            // Inverse transform: -ln(U)/rate with U in (0, 1] is exponential with mean 1/rate.
            t += -Math.log(1.0 - random.nextDouble()) / rate;
            at[i] = t;
        }
        double scale = (count / rate) / at[count - 1];
        for (int i = 0; i < count; i++) at[i] *= scale;
        return at;
    }
}
