package dev.pagoda.webapi.bench.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Poisson arrivals: ordered, seeded, ending at N / rate, with exponential (not even) gaps. */
class ArrivalScheduleTest {

    @Test
    void infiniteRateSendsEverythingAtOnce() {
        assertArrayEquals(new double[5], ArrivalSchedule.offsets(5, Double.POSITIVE_INFINITY, 1));
    }

    @Test
    void sameSeedSameTimesOtherSeedOtherTimes() {
        assertArrayEquals(ArrivalSchedule.offsets(50, 4, 7), ArrivalSchedule.offsets(50, 4, 7));
        assertTrue(ArrivalSchedule.offsets(50, 4, 7)[0] != ArrivalSchedule.offsets(50, 4, 8)[0]);
    }

    @Test
    void gapsLookExponentialAndTheLastArrivalIsNOverRate() {
        for (long seed = 0; seed < 5; seed++) {
            int n = 20_000;
            double rate = 20;
            double[] at = ArrivalSchedule.offsets(n, rate, seed);
            assertEquals(n / rate, at[n - 1], 1e-9, "seed " + seed);
            double sum = 0, squares = 0;
            double previous = 0;
            for (double t : at) {
                double gap = t - previous;
                assertTrue(gap >= 0, "seed " + seed);
                sum += gap;
                squares += gap * gap;
                previous = t;
            }
            double mean = sum / n;
            double cv = Math.sqrt(squares / n - mean * mean) / mean;
            assertEquals(1 / rate, mean, 1e-9, "seed " + seed);
            // An exponential distribution has coefficient of variation 1; evenly spaced arrivals have 0.
            assertEquals(1.0, cv, 0.05, "seed " + seed);
        }
    }
}
