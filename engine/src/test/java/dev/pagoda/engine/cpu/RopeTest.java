package dev.pagoda.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.config.Architecture;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.config.RopeScaling;
import dev.pagoda.engine.model.ops.RopeFrequencies;
import dev.pagoda.engine.testing.F32;
import dev.pagoda.engine.testing.Workers;
import dev.pagoda.engine.testing.TransformersRope;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** RoPE frequencies and rotation against the transcription of transformers' formulas. */
@ExtendWith(Workers.class)
class RopeTest {

    private static ModelSpec spec(int headDim, double theta, RopeScaling scaling, int maxPos) {
        return ModelSpec.builder(Architecture.LLAMA)
                .hiddenSize(headDim * 4).numLayers(1).numHeads(4).numKvHeads(2).headDim(headDim).intermediateSize(16).vocabSize(10)
                .rmsNormEps(1e-5).ropeTheta(theta).ropeScaling(scaling).maxPositionEmbeddings(maxPos)
                .build();
    }

    private static RopeScaling scaling(RopeScaling.Type type, double factor, int original) {
        return new RopeScaling(type, factor, original, 1, 4, 32, 1, Double.NaN);
    }

    private static List<ModelSpec> everyScaling() {
        return List.of(
                spec(8, 10000, null, 64),
                spec(128, 500000, null, 8192),
                spec(64, 10000, scaling(RopeScaling.Type.LINEAR, 4, 0), 4096),
                spec(16, 10000, scaling(RopeScaling.Type.DYNAMIC, 2, 0), 32),
                spec(64, 500000, scaling(RopeScaling.Type.LLAMA3, 32, 8192), 131072),
                spec(128, 500000, scaling(RopeScaling.Type.LLAMA3, 8, 8192), 131072),
                spec(8, 10000, scaling(RopeScaling.Type.LLAMA3, 8, 64), 64),
                spec(128, 1000000, scaling(RopeScaling.Type.YARN, 4, 32768), 131072),
                spec(64, 10000, scaling(RopeScaling.Type.YARN, 4, 0), 2048),
                spec(64, 10000, new RopeScaling(RopeScaling.Type.YARN, 8, 0, 1, 4, 16, 2, 0.9), 4096),
                spec(8, 10000, scaling(RopeScaling.Type.YARN, 4, 16), 64));
    }

    @Test
    void frequenciesFollowTransformersForEveryScalingType() {
        for (ModelSpec s : everyScaling()) {
            for (int seqLen : new int[] {1, s.maxPositionEmbeddings(), s.maxPositionEmbeddings() * 3 + 5}) {
                double[] expected = TransformersRope.parameters(s, seqLen);
                RopeFrequencies actual = RopeFrequencies.of(s, seqLen);
                int half = s.headDim() / 2;
                assertArrayEquals(Arrays.copyOf(expected, half), actual.inverse(), 1e-15,
                        s.ropeScaling() + " seqLen " + seqLen);
                assertEquals(expected[half], actual.attentionFactor(), 1e-15, s.ropeScaling() + " attention factor");
            }
        }
    }

    @Test
    void handComputedAnchors() {
        // default: θ_i = base^(-2i/d); d = 4, base 10000 -> θ_1 = 0.01
        assertEquals(0.01, RopeFrequencies.of(spec(4, 10000, null, 8), 1).inverse()[1], 1e-15);
        // linear factor 2 halves every frequency
        assertEquals(0.005, RopeFrequencies.of(spec(4, 10000, scaling(RopeScaling.Type.LINEAR, 2, 0), 8), 1)
                .inverse()[1], 1e-15);
        // Llama-3.2-1B: the fastest frequency is kept, the slowest (wavelength >> 8192) divided by 32
        RopeFrequencies llama = RopeFrequencies.of(spec(64, 500000, scaling(RopeScaling.Type.LLAMA3, 32, 8192), 131072), 1);
        assertEquals(1.0, llama.inverse()[0], 1e-15);
        assertEquals(Math.pow(500000, -62.0 / 64) / 32, llama.inverse()[31], 1e-20);
        // YaRN with factor 4: cos/sin scaled by 0.1·ln 4 + 1
        RopeFrequencies yarn = RopeFrequencies.of(spec(64, 10000, scaling(RopeScaling.Type.YARN, 4, 0), 2048), 1);
        assertEquals(1.1386294361119891, yarn.attentionFactor(), 1e-15);
        // dynamic below the original context keeps the default frequencies
        assertArrayEquals(RopeFrequencies.of(spec(16, 10000, null, 32), 1).inverse(),
                RopeFrequencies.of(spec(16, 10000, scaling(RopeScaling.Type.DYNAMIC, 2, 0), 32), 20).inverse(), 0);
    }

    @Test
    void rotationMatchesApplyRotaryPosEmbForEveryScalingType(Parallel parallel) {
        int seed = 0;
        for (ModelSpec s : everyScaling()) {
            seed++;
            Random random = new Random(seed);
            int maxPositions = Math.min(s.maxPositionEmbeddings() * 2, 3000);
            Rope rope = new Rope(s, maxPositions, parallel);
            int tokens = 1 + random.nextInt(6), heads = 1 + random.nextInt(4), d = s.headDim();
            int[] positions = new int[tokens];
            for (int t = 0; t < tokens; t++) positions[t] = random.nextInt(maxPositions);
            positions[0] = maxPositions - 1;
            float[] x = F32.random(random, tokens * heads * d, 2);
            double[] expected = new double[x.length];
            for (int t = 0; t < tokens; t++) {
                // per-position rule: position p uses the frequencies of a sequence of p+1 tokens
                double[] params = TransformersRope.parameters(s, positions[t] + 1);
                for (int h = 0; h < heads; h++) {
                    int off = (t * heads + h) * d;
                    double[] head = new double[d];
                    for (int i = 0; i < d; i++) head[i] = x[off + i];
                    System.arraycopy(TransformersRope.rotate(head, params, positions[t]), 0, expected, off, d);
                }
            }
            try (Arena arena = Arena.ofShared()) {
                MemorySegment seg = F32.segment(arena, x);
                rope.apply(seg, positions, tokens, heads);
                double diff = F32.maxAbsDiff(F32.read(seg, x.length), expected);
                // f32 cos/sin of angles up to ~3000 rad: absolute error a few 1e-6 on |x| ≤ 2
                assertTrue(diff < 2e-5, "seed " + seed + " " + s.ropeScaling() + ": max |Δ| " + diff);
            }
        }
    }

    @Test
    void positionOutsideTheTableIsAClearError(Parallel parallel) {
        Rope rope = new Rope(spec(8, 10000, null, 64), 16, parallel);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment x = F32.zeros(arena, 8);
            String message = assertThrows(IllegalArgumentException.class,
                    () -> rope.apply(x, new int[] {16}, 1, 1)).getMessage();
            assertTrue(message.contains("position 16"), message);
        }
        assertThrows(IllegalArgumentException.class, () -> RopeFrequencies.of(spec(7, 10000, null, 8), 1));
    }
}
