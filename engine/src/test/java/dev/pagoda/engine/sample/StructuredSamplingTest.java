package dev.pagoda.engine.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.engine.structured.StructuredOutput;
import dev.pagoda.engine.structured.StructuredOutputCompiler;
import dev.pagoda.engine.structured.mask.TokenVocabulary;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The CPU sampler under a structured-output constraint, on a vocabulary small enough to reason
 * about by hand: the mask comes before penalties and filters, greedy takes the best allowed token,
 * random draws follow the softmax restricted to the allowed tokens, logprobs stay those of the raw
 * logits, EOS comes exactly when the grammar is complete.
 */
class StructuredSamplingTest {

    //                                          0    1    2    3     4     5    6    7   8 (EOS)
    private static final String[] TOKENS = {"a", "b", "c", "ab", "ba", "x", "y", " ", null};
    private static final int EOS = 8;

    private static SamplerVocab vocab() {
        byte[][] bytes = new byte[TOKENS.length][];
        for (int i = 0; i < TOKENS.length; i++) bytes[i] = TOKENS[i] == null ? null : TOKENS[i].getBytes(StandardCharsets.UTF_8);
        TokenVocabulary v = new TokenVocabulary(TOKENS.length, bytes, new int[] {EOS});
        return new SamplerVocab(TOKENS.length, List.of(EOS), new StructuredOutputCompiler(() -> v, 4));
    }

    private static SamplingParams.Builder choice() {
        return SamplingParams.builder().structuredOutput(new StructuredOutput.Choice(List.of("ab", "ba", "abc"), "structured_outputs.choice"))
                .maxTokens(8);
    }

    @Test
    void greedyTakesTheBestAllowedTokenAndEndsWithEos() {
        SamplerVocab v = vocab();
        Sampler sampler = new Sampler(v);
        // x, y and " " have the best logits but are never allowed
        float[] logits = {1f, 0.5f, 0.2f, 0.9f, 0.1f, 9f, 8f, 7f, -1f};
        SamplingState s = SamplingState.create(choice().temperature(0).build(), new int[] {0}, v);
        assertEquals(0, sampler.sample(logits, 0, s).tokenId()); // allowed: a 1.0, ab 0.9, b 0.5, ba 0.1
        assertEquals(1, sampler.sample(logits, 0, s).tokenId()); // after "a" only "b" continues a choice
        assertEquals(2, sampler.sample(logits, 0, s).tokenId()); // "ab" may end (EOS -1) or go on to "abc" (c 0.2)
        assertEquals(EOS, sampler.sample(logits, 0, s).tokenId()); // "abc" is complete: EOS only
        assertTrue(s.grammar().isTerminated());
    }

    @Test
    void randomDrawsFollowTheAllowedSoftmaxAndLogprobsStayRaw() {
        SamplerVocab v = vocab();
        Sampler sampler = new Sampler(v);
        float[] logits = {0f, 1f, 0f, 2f, 0.5f, 5f, 5f, 5f, 0f};
        int[] counts = new int[TOKENS.length];
        int draws = 20_000;
        double rawNormaliser = 0;
        for (float l : logits) rawNormaliser += Math.exp(l);
        for (int i = 0; i < draws; i++) {
            SamplingState s = SamplingState.create(choice().temperature(1).seed((long) i).logprobs(0).build(), new int[] {0}, v);
            SampledToken t = sampler.sample(logits, 0, s);
            counts[t.tokenId()]++;
            assertEquals(logits[t.tokenId()] - Math.log(rawNormaliser), t.logprob(), 1e-4, "logprob of the raw logits");
        }
        // first token: a (0), ab (3), b (1), ba (4) are prefixes of a choice; the rest never
        double z = Math.exp(0) + Math.exp(2) + Math.exp(1) + Math.exp(0.5);
        double[] expected = {Math.exp(0) / z, Math.exp(1) / z, 0, Math.exp(2) / z, Math.exp(0.5) / z, 0, 0, 0, 0};
        for (int id = 0; id < TOKENS.length; id++) {
            double got = counts[id] / (double) draws;
            assertEquals(expected[id], got, 4 * Math.sqrt(expected[id] * (1 - expected[id]) / draws) + 1e-9, "token " + id);
        }
    }

    @Test
    void theMaskComesBeforePenaltiesAndMinTokensGivesWayWhereOnlyEosIsLeft() {
        SamplerVocab v = vocab();
        Sampler sampler = new Sampler(v);
        float[] logits = {3f, 0f, 0f, 0f, 0f, 9f, 0f, 0f, 0f};
        SamplingState s = SamplingState.create(choice().temperature(0).repetitionPenalty(2.0).minTokens(5).build(), new int[] {0}, v);
        // "a" is in the prompt: penalised 3 -> 1.5, still the best allowed
        assertEquals(0, sampler.sample(logits, 0, s).tokenId());
        assertEquals(1, sampler.sample(logits, 0, s).tokenId());
        assertEquals(2, sampler.sample(logits, 0, s).tokenId());
        // min_tokens (5) is not reached, but the grammar is complete: EOS, not a failure
        assertEquals(EOS, sampler.sample(logits, 0, s).tokenId());
    }

    @Test
    void aDeviceTokenTheGrammarRefusesFailsTheState() {
        SamplerVocab v = vocab();
        SamplingState s = SamplingState.create(choice().build(), new int[] {0}, v);
        s.nextDeviceSeed();
        assertThrows(IllegalStateException.class, () -> s.acceptDeviceSample(5));
    }
}
