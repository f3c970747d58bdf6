package dev.pagoda.engine.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Everything except the sampled distributions (see {@link SamplerDistributionTest}). */
class SamplerTest {

    private static final List<Integer> NO_EOS = List.of();

    @Test
    void greedyTakesTheLowestIdAmongTiedMaxima() {
        float[] logits = {0.5f, 2f, -1f, 3f, 3f, 1f, 3f};
        assertEquals(3, sampleOnce(logits, SamplingParams.greedy(4)).tokenId());
    }

    @Test
    void greedyIsTheArgmaxAfterPenalties() {
        float[] logits = {1f, 4f, 3.5f, 0f};
        SamplerVocab vocab = new SamplerVocab(4, NO_EOS);
        SamplingParams params = SamplingParams.greedy(8).toBuilder().repetitionPenalty(1.5).build();
        // Token 1 is in the prompt: 4 / 1.5 = 2.67 < 3.5, so token 2 wins.
        SamplingState state = SamplingState.create(params, new int[] {1}, vocab);
        assertEquals(2, new Sampler(vocab).sample(logits, 0, state).tokenId());
    }

    @Test
    void temperaturesBelowVllmsEpsilonAreGreedy() {
        float[] logits = {0f, 1f, 1.0001f, 0.5f};
        SamplingParams params = SamplingParams.builder().temperature(1e-6).seed(3L).build();
        assertTrue(params.isGreedy());
        assertEquals(2, sampleOnce(logits, params).tokenId());
    }

    @Test
    void penaltiesMatchTheNaiveFormulas() {
        for (long seed = 1; seed <= 50; seed++) {
            Random random = new Random(seed);
            int v = 200;
            float[] logits = SamplerDistributionTest.randomLogits(random, v, 3.0);
            int[] prompt = random.ints(random.nextInt(30), 0, v).toArray();
            int[] output = random.ints(random.nextInt(40), 0, v).toArray();
            Map<Integer, Float> bias = new HashMap<>();
            for (int i = 0; i < 5; i++) bias.put(random.nextInt(v), (float) (random.nextGaussian() * 5));
            SamplingParams params = SamplingParams.builder()
                    .repetitionPenalty(0.5 + random.nextDouble() * 1.5)
                    .frequencyPenalty(random.nextDouble() * 4 - 2)
                    .presencePenalty(random.nextDouble() * 4 - 2)
                    .logitBias(bias).seed(seed).build();
            SamplerVocab vocab = new SamplerVocab(v, NO_EOS);
            SamplingState state = SamplingState.create(params, prompt, vocab);
            for (int t : output) state.append(t);
            float[] actual = new Sampler(vocab).processedLogits(logits, state);
            double[] expected = NaiveSampling.processedLogits(logits, params, prompt, output, NO_EOS);
            for (int i = 0; i < v; i++) {
                assertEquals(expected[i], actual[i], 1e-4 * Math.max(1, Math.abs(expected[i])),
                        "seed " + seed + ", token " + i);
            }
        }
    }

    @Test
    void logitBiasMovesTheArgmax() {
        float[] logits = {1f, 2f, 0f};
        SamplingParams params = SamplingParams.greedy(4).toBuilder().logitBias(Map.of(2, 2.5f)).build();
        assertEquals(2, sampleOnce(logits, params).tokenId());
        SamplingParams banned = SamplingParams.greedy(4).toBuilder().logitBias(Map.of(1, -100f)).build();
        assertEquals(0, sampleOnce(logits, banned).tokenId());
    }

    @Test
    void minTokensMasksEosAndStopTokenIdsUntilReached() {
        int eos = 3, stopId = 7;
        float[] logits = new float[10];
        logits[eos] = 12f;
        logits[stopId] = 12f;
        SamplerVocab vocab = new SamplerVocab(10, List.of(eos));
        SamplingParams params = SamplingParams.builder().minTokens(4).stopTokenIds(List.of(stopId))
                .seed(9L).maxTokens(10).build();
        for (long seed = 0; seed < 20; seed++) {
            SamplingState state = SamplingState.create(params.toBuilder().seed(seed).build(), new int[0], vocab);
            Sampler sampler = new Sampler(vocab);
            for (int i = 0; i < 4; i++) {
                int id = sampler.sample(logits, 0, state).tokenId();
                assertTrue(id != eos && id != stopId, "seed " + seed + ": token " + id + " at step " + i);
            }
            // From the 5th token on they are allowed, and (logit 12 vs 0) almost surely drawn.
            int fifth = sampler.sample(logits, 0, state).tokenId();
            assertTrue(fifth == eos || fifth == stopId, "seed " + seed + ": 5th token " + fifth);
        }
    }

    @Test
    void sameSeedSameTokensWhateverTheBatch() {
        SamplerVocab vocab = new SamplerVocab(300, NO_EOS);
        SamplingParams params = SamplingParams.builder().temperature(1.1).topP(0.95).seed(42L).maxTokens(64).build();
        int[] alone = generate(vocab, params, 0, 0);
        assertArrayEquals(alone, generate(vocab, params, 3, 1), "batched with 3 others, sampled first");
        assertArrayEquals(alone, generate(vocab, params, 5, 5), "batched with 5 others, sampled last");
        int[] otherSeed = generate(vocab, params.toBuilder().seed(43L).build(), 0, 0);
        assertFalse(java.util.Arrays.equals(alone, otherSeed), "seeds 42 and 43 gave the same 64 tokens");
    }

    @Test
    void childrenOfNAreSeededWithSeedPlusIndex() {
        SamplerVocab vocab = new SamplerVocab(300, NO_EOS);
        SamplingParams params = SamplingParams.builder().n(3).seed(100L).maxTokens(32).build();
        Sampler sampler = new Sampler(vocab);
        int[][] children = new int[3][];
        for (int c = 0; c < 3; c++) {
            children[c] = run(sampler, SamplingState.createChild(params, new int[0], vocab, c), 32);
        }
        assertFalse(java.util.Arrays.equals(children[0], children[1]));
        SamplingState seed101 = SamplingState.create(params.toBuilder().n(1).seed(101L).build(), new int[0], vocab);
        assertArrayEquals(children[1], run(sampler, seed101, 32));
    }

    @Test
    void logprobsAreTheLogSoftmaxOfTheRawLogits() {
        for (long seed = 1; seed <= 10; seed++) {
            Random random = new Random(seed);
            int v = 5000;
            float[] logits = SamplerDistributionTest.randomLogits(random, v, 4.0);
            logits[random.nextInt(v)] = logits[random.nextInt(v)]; // a tie somewhere
            SamplingParams params = SamplingParams.builder().temperature(0.6).topK(20).repetitionPenalty(1.3)
                    .logitBias(Map.of(5, 3f)).logprobs(5).seed(seed).build();
            SampledToken token = sampleOnce(logits, params, new int[] {1, 2, 5});
            double[] expected = NaiveSampling.logSoftmax(logits);
            assertEquals(expected[token.tokenId()], token.logprob(), 1e-5, "seed " + seed);
            Integer[] order = new Integer[v];
            for (int i = 0; i < v; i++) order[i] = i;
            java.util.Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : a - b);
            assertEquals(5, token.topLogprobs().size());
            for (int r = 0; r < 5; r++) {
                assertEquals(order[r], token.topLogprobs().get(r).tokenId(), "seed " + seed + " rank " + r);
                assertEquals(expected[order[r]], token.topLogprobs().get(r).logprob(), 1e-5, "seed " + seed);
            }
        }
    }

    @Test
    void logprobsZeroGivesTheChosenTokenOnlyAndNullGivesNone() {
        float[] logits = {1f, 2f, 3f};
        SampledToken zero = sampleOnce(logits, SamplingParams.greedy(2).toBuilder().logprobs(0).build());
        assertEquals(NaiveSampling.logSoftmax(logits)[2], zero.logprob(), 1e-6);
        assertTrue(zero.topLogprobs().isEmpty());
        SampledToken none = sampleOnce(logits, SamplingParams.greedy(2));
        assertFalse(none.hasLogprob());
    }

    @Test
    void memorySegmentRowsSampleAsArrays() {
        float[] logits = SamplerDistributionTest.randomLogits(new Random(4), 1000, 2.0);
        SamplerVocab vocab = new SamplerVocab(1000, NO_EOS);
        SamplingParams params = SamplingParams.builder().topP(0.9).logprobs(3).seed(77L).build();
        Sampler sampler = new Sampler(vocab);
        SamplingState fromArray = SamplingState.create(params, new int[0], vocab);
        SamplingState fromSegment = SamplingState.create(params, new int[0], vocab);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment row = arena.allocate(1000L * Float.BYTES);
            MemorySegment.copy(logits, 0, row, ValueLayout.JAVA_FLOAT, 0, 1000);
            for (int i = 0; i < 20; i++) {
                assertEquals(sampler.sample(logits, 0, fromArray), sampler.sample(row, fromSegment), "token " + i);
            }
        }
    }

    @Test
    void rowsOfTheWrongSizeOrWithoutCandidatesAreClearErrors() {
        SamplerVocab vocab = new SamplerVocab(4, NO_EOS);
        Sampler sampler = new Sampler(vocab);
        SamplingState state = SamplingState.create(SamplingParams.builder().seed(1L).build(), new int[0], vocab);
        var shortRow = assertThrows(IllegalArgumentException.class, () -> sampler.sample(new float[3], 0, state));
        assertTrue(shortRow.getMessage().contains("needs 4 floats"), shortRow.getMessage());
        float[] nan = {0f, Float.NaN, 1f, 2f};
        var nanRow = assertThrows(IllegalStateException.class, () -> sampler.sample(nan, 0, state));
        assertTrue(nanRow.getMessage().contains("NaN"), nanRow.getMessage());
        SamplerVocab wide = new SamplerVocab(64, NO_EOS);
        float[] nanInVectorPart = new float[64];
        nanInVectorPart[5] = Float.NaN;
        for (SamplingParams p : List.of(SamplingParams.greedy(2), SamplingParams.builder().seed(1L).build())) {
            SamplingState s = SamplingState.create(p, new int[0], wide);
            var e = assertThrows(IllegalStateException.class, () -> new Sampler(wide).sample(nanInVectorPart, 0, s));
            assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        }
        float[] allMasked = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
        var masked = assertThrows(IllegalStateException.class, () -> sampler.sample(allMasked, 0, state));
        assertTrue(masked.getMessage().contains("every logit is -inf"), masked.getMessage());
        var outOfVocab = assertThrows(InvalidSamplingParamsException.class, () -> SamplingState.create(
                SamplingParams.builder().logitBias(Map.of(4, 1f)).build(), new int[0], vocab));
        assertEquals("logit_bias", outOfVocab.parameter());
    }

    /** Decodes 64 tokens of one seeded request among {@code others} unseeded ones, sampled at {@code position}. */
    private static int[] generate(SamplerVocab vocab, SamplingParams params, int others, int position) {
        Sampler sampler = new Sampler(vocab);
        SamplingState target = SamplingState.create(params, new int[] {1, 2, 3}, vocab);
        SamplingState[] batch = new SamplingState[others];
        for (int i = 0; i < others; i++) {
            batch[i] = SamplingState.create(SamplingParams.builder().seed(null).build(), new int[] {4}, vocab);
        }
        int[] out = new int[64];
        for (int step = 0; step < 64; step++) {
            float[] logits = SamplerDistributionTest.randomLogits(new Random(step), vocab.size(), 1.5);
            for (int i = 0; i <= others; i++) {
                if (i == position) out[step] = sampler.sample(logits, 0, target).tokenId();
                else sampler.sample(logits, 0, batch[i < position ? i : i - 1]);
            }
        }
        return out;
    }

    private static int[] run(Sampler sampler, SamplingState state, int tokens) {
        float[] logits = SamplerDistributionTest.randomLogits(new Random(0), state.vocab().size(), 1.0);
        int[] out = new int[tokens];
        for (int i = 0; i < tokens; i++) out[i] = sampler.sample(logits, 0, state).tokenId();
        return out;
    }

    private static SampledToken sampleOnce(float[] logits, SamplingParams params) {
        return sampleOnce(logits, params, new int[0]);
    }

    private static SampledToken sampleOnce(float[] logits, SamplingParams params, int[] prompt) {
        SamplerVocab vocab = new SamplerVocab(logits.length, NO_EOS);
        return new Sampler(vocab).sample(logits, 0, SamplingState.create(params, prompt, vocab));
    }
}
