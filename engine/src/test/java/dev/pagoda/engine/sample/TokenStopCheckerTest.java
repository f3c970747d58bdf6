package dev.pagoda.engine.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** vLLM V1's check_stop decisions, worked out by hand per case. */
class TokenStopCheckerTest {

    private static final int EOS = 2;
    private static final SamplerVocab VOCAB = new SamplerVocab(10, List.of(EOS));

    @Test
    void eosStopsUnlessIgnored() {
        assertEquals(Finish.EOS, after(SamplingParams.builder().maxTokens(10).build(), 100, 5, EOS));
        assertNull(after(SamplingParams.builder().maxTokens(10).ignoreEos(true).build(), 100, 5, EOS));
    }

    @Test
    void stopTokenIdsStopAndReportTheId() {
        Finish f = after(SamplingParams.builder().stopTokenIds(List.of(7)).maxTokens(10).build(), 100, 5, 7);
        assertEquals(FinishReason.STOP, f.reason());
        assertEquals(7, f.stopTokenId());
    }

    @Test
    void nothingStopsBeforeMinTokensButLengthStillDoes() {
        SamplingParams p = SamplingParams.builder().minTokens(3).maxTokens(10).stopTokenIds(List.of(7)).build();
        assertNull(after(p, 100, 5, EOS, EOS));
        assertEquals(Finish.EOS, after(p, 100, 5, 1, 1, EOS));
        // Context of 7: prompt 5 + 2 generated fills it even though min_tokens is 3.
        assertEquals(Finish.LENGTH, after(p, 7, 5, 1, 1));
    }

    @Test
    void lengthIsCheckedBeforeEos() {
        SamplingParams p = SamplingParams.builder().maxTokens(2).build();
        assertNull(after(p, 100, 5, 1));
        assertEquals(Finish.LENGTH, after(p, 100, 5, 1, EOS)); // the 2nd token is EOS and the last allowed
    }

    @Test
    void unlimitedMaxTokensRunsToTheContext() {
        SamplingParams p = SamplingParams.builder().maxTokens(null).build();
        assertNull(after(p, 8, 5, 1, 1));
        assertEquals(Finish.LENGTH, after(p, 8, 5, 1, 1, 1));
    }

    private static Finish after(SamplingParams params, int maxModelLen, int promptLength, int... generated) {
        SamplingState state = SamplingState.create(params, new int[promptLength], VOCAB);
        for (int t : generated) state.append(t);
        return TokenStopChecker.check(state, maxModelLen);
    }
}
