package dev.pagoda.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.engine.testing.F32;
import dev.pagoda.engine.testing.Workers;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(Workers.class)
class RmsNormTest {

    /** x / sqrt(mean(x²) + eps) * w, in doubles. */
    private static double[] naive(float[] x, float[] w, int rows, int dim, double eps) {
        double[] out = new double[rows * dim];
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int i = 0; i < dim; i++) ss += (double) x[r * dim + i] * x[r * dim + i];
            double inv = 1 / Math.sqrt(ss / dim + eps);
            for (int i = 0; i < dim; i++) out[r * dim + i] = x[r * dim + i] * inv * w[i];
        }
        return out;
    }

    @Test
    void matchesNaiveNormOverSeeds(Parallel parallel) {
        for (int seed = 0; seed < 40; seed++) {
            Random random = new Random(seed);
            int dim = 1 + random.nextInt(70);
            int rows = 1 + random.nextInt(9);
            double eps = random.nextBoolean() ? 1e-5 : 1e-6;
            float[] x = F32.random(random, rows * dim, 3);
            float[] w = F32.random(random, dim, 2);
            try (Arena arena = Arena.ofShared()) {
                MemorySegment out = F32.zeros(arena, (long) rows * dim);
                new RmsNorm(parallel, dim, eps).apply(F32.segment(arena, x), F32.segment(arena, w), out, rows);
                double diff = F32.maxAbsDiff(F32.read(out, (long) rows * dim), naive(x, w, rows, dim, eps));
                assertTrue(diff < 1e-5, "seed " + seed + " dim " + dim + ": max |Δ| " + diff);
            }
        }
    }

    @Test
    void fusedResidualAddUpdatesTheResidualAndNormalisesTheSum(Parallel parallel) {
        for (int seed = 0; seed < 30; seed++) {
            Random random = new Random(seed);
            int dim = 1 + random.nextInt(70);
            int rows = 1 + random.nextInt(9);
            float[] residual = F32.random(random, rows * dim, 2);
            float[] delta = F32.random(random, rows * dim, 2);
            float[] w = F32.random(random, dim, 2);
            float[] sum = new float[rows * dim];
            double[] sumD = new double[rows * dim];
            for (int i = 0; i < sum.length; i++) {
                sum[i] = residual[i] + delta[i];
                sumD[i] = sum[i];
            }
            try (Arena arena = Arena.ofShared()) {
                MemorySegment res = F32.segment(arena, residual);
                MemorySegment out = F32.zeros(arena, (long) rows * dim);
                new RmsNorm(parallel, dim, 1e-5).addAndApply(res, F32.segment(arena, delta), F32.segment(arena, w), out, rows);
                assertTrue(F32.maxAbsDiff(F32.read(res, sum.length), sumD) < 1e-6, "seed " + seed + ": residual sum");
                double diff = F32.maxAbsDiff(F32.read(out, sum.length), naive(sum, w, rows, dim, 1e-5));
                assertTrue(diff < 1e-5, "seed " + seed + ": normalised sum, max |Δ| " + diff);
            }
        }
    }

    @Test
    void inPlacePerHeadNormIsTheSameAsOutOfPlace(Parallel parallel) {
        Random random = new Random(5);
        int heads = 6, dim = 12;
        float[] x = F32.random(random, heads * dim, 1);
        float[] w = F32.random(random, dim, 1);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment inPlace = F32.segment(arena, x);
            new RmsNorm(parallel, dim, 1e-6).apply(inPlace, F32.segment(arena, w), inPlace, heads);
            assertTrue(F32.maxAbsDiff(F32.read(inPlace, x.length), naive(x, w, heads, dim, 1e-6)) < 1e-5);
        }
    }
}
