package dev.pagoda.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.engine.model.ops.Activation;
import dev.pagoda.engine.model.ops.RopeSpec;
import dev.pagoda.engine.model.ops.RopeStyle;
import dev.pagoda.engine.testing.F32;
import dev.pagoda.engine.testing.NaiveOps;
import dev.pagoda.engine.testing.Workers;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** LayerNorm, the activations, scaling, soft-capping and partial/interleaved RoPE against naive double loops. */
@ExtendWith(Workers.class)
class LayerNormAndActivationsTest {

    @Test
    void layerNormWithAndWithoutBias(Parallel parallel) {
        for (int seed = 0; seed < 20; seed++) {
            Random random = new Random(seed);
            int rows = 1 + random.nextInt(5);
            int dim = 1 + random.nextInt(200);
            float[] x = F32.random(random, rows * dim, 4);
            float[] w = F32.random(random, dim, 1);
            float[] b = F32.random(random, dim, 1);
            boolean bias = seed % 2 == 0;
            double[] expected = new double[x.length];
            for (int r = 0; r < rows; r++) {
                double[] row = new double[dim];
                for (int i = 0; i < dim; i++) row[i] = x[r * dim + i];
                double[] y = NaiveOps.layerNorm(row, toDouble(w), bias ? toDouble(b) : null, 1e-5);
                System.arraycopy(y, 0, expected, r * dim, dim);
            }
            try (Arena arena = Arena.ofShared()) {
                MemorySegment in = F32.segment(arena, x);
                new LayerNorm(parallel, dim, 1e-5).apply(in, F32.segment(arena, w), bias ? F32.segment(arena, b) : null, in, rows);
                double diff = F32.maxAbsDiff(F32.read(in, x.length), expected);
                assertTrue(diff < 1e-5, "seed " + seed + ": max |Δ| " + diff);
            }
        }
    }

    @Test
    void activationsPlainAndGated(Parallel parallel) {
        for (Activation a : Activation.values()) {
            for (int seed = 0; seed < 10; seed++) {
                Random random = new Random(seed);
                int n = 1 + random.nextInt(3000);
                float[] gate = F32.random(random, n, 12);
                float[] up = F32.random(random, n, 3);
                double[] plain = new double[n];
                double[] gated = new double[n];
                for (int i = 0; i < n; i++) {
                    double g = switch (a) {
                        case SILU -> NaiveOps.silu(gate[i]);
                        case GELU -> NaiveOps.gelu(gate[i]);
                        case GELU_TANH -> NaiveOps.geluTanh(gate[i]);
                    };
                    plain[i] = g;
                    gated[i] = g * up[i];
                }
                try (Arena arena = Arena.ofShared()) {
                    Activations kernels = new Activations(parallel);
                    MemorySegment x = F32.segment(arena, gate);
                    kernels.apply(a, x, n);
                    double diff = F32.maxAbsDiff(F32.read(x, n), plain);
                    assertTrue(diff < 1e-5, a + " seed " + seed + ": max |Δ| " + diff);
                    MemorySegment g = F32.segment(arena, gate);
                    kernels.gated(a, g, F32.segment(arena, up), g, n);
                    diff = F32.maxAbsDiff(F32.read(g, n), gated);
                    assertTrue(diff < 1e-5, a + " gated, seed " + seed + ": max |Δ| " + diff);
                }
            }
        }
    }

    @Test
    void scaleAndSoftCap(Parallel parallel) {
        Random random = new Random(5);
        float[] x = F32.random(random, 777, 80);
        double[] scaled = new double[x.length];
        double[] capped = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            scaled[i] = x[i] * 1.5f;
            capped[i] = 30 * Math.tanh(x[i] / 30.0);
        }
        try (Arena arena = Arena.ofShared()) {
            Activations kernels = new Activations(parallel);
            MemorySegment s = F32.segment(arena, x);
            kernels.scale(s, 1.5f, x.length);
            assertTrue(F32.maxAbsDiff(F32.read(s, x.length), scaled) < 1e-4);
            MemorySegment c = F32.segment(arena, x);
            kernels.softCap(c, 30f, x.length);
            assertTrue(F32.maxAbsDiff(F32.read(c, x.length), capped) < 1e-5);
        }
    }

    @Test
    void partialAndInterleavedRope(Parallel parallel) {
        int headDim = 16;
        int heads = 3;
        int tokens = 5;
        for (RopeStyle style : RopeStyle.values()) {
            for (int rotary : new int[] {4, 10, 16}) {
                Random random = new Random(rotary);
                float[] x = F32.random(random, tokens * heads * headDim, 2);
                int[] positions = {0, 3, 7, 12, 40};
                double[] expected = new double[x.length];
                for (int t = 0; t < tokens; t++) {
                    for (int h = 0; h < heads; h++) {
                        double[] head = new double[headDim];
                        int off = (t * heads + h) * headDim;
                        for (int i = 0; i < headDim; i++) head[i] = x[off + i];
                        double[] y = NaiveOps.rope(head, positions[t], rotary, 10000, style == RopeStyle.INTERLEAVED);
                        System.arraycopy(y, 0, expected, off, headDim);
                    }
                }
                try (Arena arena = Arena.ofShared()) {
                    MemorySegment s = F32.segment(arena, x);
                    new Rope(new RopeSpec(headDim, rotary, style, 10000, null, 64, null), 64, parallel).apply(s, positions, tokens, heads);
                    double diff = F32.maxAbsDiff(F32.read(s, x.length), expected);
                    assertTrue(diff < 1e-5, style + " rotary " + rotary + ": max |Δ| " + diff);
                }
            }
        }
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
