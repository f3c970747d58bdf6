package dev.pagoda.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.engine.testing.F32;
import dev.pagoda.engine.testing.Workers;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** SwiGLU, softmax and bias add against naive double loops. */
@ExtendWith(Workers.class)
class ElementwiseKernelsTest {

    @Test
    void swiGluIsSiluOfGateTimesUp(Parallel parallel) {
        for (int seed = 0; seed < 30; seed++) {
            Random random = new Random(seed);
            int rows = 1 + random.nextInt(5);
            int cols = 1 + random.nextInt(300);
            float[] gate = F32.random(random, rows * cols, 12);
            float[] up = F32.random(random, rows * cols, 3);
            double[] expected = new double[gate.length];
            for (int i = 0; i < gate.length; i++) expected[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
            try (Arena arena = Arena.ofShared()) {
                MemorySegment g = F32.segment(arena, gate);
                new SwiGlu(parallel).apply(g, F32.segment(arena, up), g, rows, cols);
                double diff = F32.maxAbsDiff(F32.read(g, gate.length), expected);
                assertTrue(diff < 1e-5, "seed " + seed + ": max |Δ| " + diff);
            }
        }
    }

    @Test
    void softmaxRowsSumToOneAndMatchNaive(Parallel parallel) {
        for (int seed = 0; seed < 30; seed++) {
            Random random = new Random(seed);
            int rows = 1 + random.nextInt(5);
            int cols = 1 + random.nextInt(500);
            float[] x = F32.random(random, rows * cols, 40);
            double[] expected = new double[x.length];
            for (int r = 0; r < rows; r++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int i = 0; i < cols; i++) max = Math.max(max, x[r * cols + i]);
                for (int i = 0; i < cols; i++) sum += Math.exp(x[r * cols + i] - max);
                for (int i = 0; i < cols; i++) expected[r * cols + i] = Math.exp(x[r * cols + i] - max) / sum;
            }
            try (Arena arena = Arena.ofShared()) {
                MemorySegment s = F32.segment(arena, x);
                new Softmax(parallel).apply(s, rows, cols);
                double diff = F32.maxAbsDiff(F32.read(s, x.length), expected);
                assertTrue(diff < 1e-6, "seed " + seed + ": max |Δ| " + diff);
            }
        }
    }

    @Test
    void softmaxSurvivesHugeLogits(Parallel parallel) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment s = F32.segment(arena, new float[] {1e30f, 1e30f, -1e30f});
            new Softmax(parallel).apply(s, 1, 3);
            float[] p = F32.read(s, 3);
            assertEquals(0.5f, p[0]);
            assertEquals(0.5f, p[1]);
            assertEquals(0f, p[2]);
        }
    }

    @Test
    void biasIsAddedToEveryRow() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment x = F32.segment(arena, new float[] {1, 2, 3, 4, 5, 6});
            AddBias.apply(x, F32.segment(arena, new float[] {10, 20, 30}), 2, 3);
            assertEquals(java.util.List.of(11f, 22f, 33f, 14f, 25f, 36f),
                    java.util.stream.IntStream.range(0, 6).mapToObj(i -> F32.read(x, 6)[i]).toList());
        }
    }
}
