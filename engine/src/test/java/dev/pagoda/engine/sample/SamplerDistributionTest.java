package dev.pagoda.engine.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Draws many tokens with fixed seeds and compares the empirical frequencies with the exact
 * probabilities {@link NaiveSampling} computes (chi-square at a 1e-6 tail, so a correct sampler
 * fails by chance essentially never, while a wrong filter or temperature shifts the statistic
 * by hundreds).
 */
class SamplerDistributionTest {

    private static final int DRAWS = 10_000;

    @Test
    void temperatureAlone() {
        for (double t : new double[] {0.3, 1.0, 1.7}) {
            checkOverSeeds(SamplingParams.builder().temperature(t).build(), 64, 2.0);
        }
    }

    @Test
    void topK() {
        checkOverSeeds(SamplingParams.builder().temperature(0.8).topK(5).build(), 64, 2.0);
        checkOverSeeds(SamplingParams.builder().topK(1).build(), 64, 2.0);
    }

    @Test
    void topKKeepsEveryTokenTiedWithTheKth() {
        float[] logits = {3f, 3f, 2f, 2f, 2f, 1f, 0.5f, 0f};
        SamplingParams params = SamplingParams.builder().topK(3).seed(7L).build();
        double[] exact = NaiveSampling.probabilities(toDouble(logits), params);
        assertEquals(0.0, exact[5], "reference keeps only the ties at the 3rd largest");
        assertFits(draw(logits, params, DRAWS), exact, "ties at k");
    }

    @Test
    void topP() {
        checkOverSeeds(SamplingParams.builder().topP(0.8).build(), 64, 2.0);
        checkOverSeeds(SamplingParams.builder().temperature(1.5).topP(0.3).build(), 64, 2.0);
    }

    @Test
    void minP() {
        checkOverSeeds(SamplingParams.builder().minP(0.1).build(), 64, 2.0);
        checkOverSeeds(SamplingParams.builder().temperature(0.7).minP(0.3).build(), 64, 2.0);
    }

    @Test
    void allFiltersTogether() {
        checkOverSeeds(SamplingParams.builder().temperature(1.3).topK(12).topP(0.7).minP(0.05).build(), 64, 2.0);
        checkOverSeeds(SamplingParams.builder().temperature(0.9).topK(30).topP(0.95).build(), 64, 1.0);
    }

    @Test
    void penaltiesAndBiasShapeTheDistribution() {
        float[] logits = randomLogits(new Random(11), 40, 1.5);
        int[] prompt = {1, 2, 3, 3, 9};
        int[] output = {2, 4, 4, 4, 17};
        SamplingParams params = SamplingParams.builder().seed(5L).repetitionPenalty(1.3)
                .frequencyPenalty(0.4).presencePenalty(0.7).logitBias(Map.of(20, 2.5f, 21, -1.5f))
                .temperature(0.9).topP(0.9).build();
        SamplerVocab vocab = new SamplerVocab(logits.length, List.of());
        Sampler sampler = new Sampler(vocab);
        long[] counts = new long[logits.length];
        for (int i = 0; i < DRAWS; i++) {
            // A fresh state per draw so the penalties always see the same history.
            SamplingState state = SamplingState.create(params.toBuilder().seed(5L + i).build(), prompt, vocab);
            for (int t : output) state.append(t);
            counts[sampler.sample(logits, 0, state).tokenId()]++;
        }
        double[] processed = NaiveSampling.processedLogits(logits, params, prompt, output, List.of());
        assertFits(counts, NaiveSampling.probabilities(processed, params), "penalties + bias");
    }

    /** An LLM-shaped row (Zipf-like, 16k tokens) so top-p collects only a few histogram buckets. */
    @Test
    void largePeakedVocabulary() {
        long seed = 1;
        Random random = new Random(seed);
        float[] logits = new float[16_000];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (-2.5 * Math.log(1 + random.nextInt(logits.length)) + 0.3 * random.nextGaussian());
        }
        for (SamplingParams p : List.of(
                SamplingParams.builder().temperature(0.7).topP(0.9).seed(seed).build(),
                SamplingParams.builder().topK(40).topP(0.95).seed(seed).build(),
                SamplingParams.builder().temperature(1.2).topK(100).seed(seed).build())) {
            double[] exact = NaiveSampling.probabilities(toDouble(logits), p);
            assertFits(draw(logits, p, 4_000), exact, "seed " + seed + " " + p);
        }
    }

    private static void checkOverSeeds(SamplingParams params, int vocab, double spread) {
        for (long seed = 1; seed <= 3; seed++) {
            float[] logits = randomLogits(new Random(seed), vocab, spread);
            SamplingParams seeded = params.toBuilder().seed(1000 + seed).build();
            double[] exact = NaiveSampling.probabilities(toDouble(logits), seeded);
            assertFits(draw(logits, seeded, DRAWS), exact, "logits seed " + seed + ", " + seeded);
        }
    }

    static long[] draw(float[] logits, SamplingParams params, int draws) {
        SamplerVocab vocab = new SamplerVocab(logits.length, List.of());
        Sampler sampler = new Sampler(vocab);
        SamplingState state = SamplingState.create(params, new int[0], vocab);
        long[] counts = new long[logits.length];
        for (int i = 0; i < draws; i++) counts[sampler.sample(logits, 0, state).tokenId()]++;
        return counts;
    }

    private static void assertFits(long[] counts, double[] exact, String what) {
        long draws = 0;
        for (long c : counts) draws += c;
        assertNull(ChiSquare.misfit(counts, exact, draws), what);
    }

    static float[] randomLogits(Random random, int vocab, double spread) {
        float[] logits = new float[vocab];
        for (int i = 0; i < vocab; i++) logits[i] = (float) (random.nextGaussian() * spread);
        return logits;
    }

    static double[] toDouble(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) out[i] = values[i];
        return out;
    }
}
