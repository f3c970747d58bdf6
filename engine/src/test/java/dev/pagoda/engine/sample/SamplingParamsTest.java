package dev.pagoda.engine.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** vLLM's defaults and range checks, with the exact message each bad value gets. */
class SamplingParamsTest {

    @Test
    void defaultsAreVllms() {
        SamplingParams p = SamplingParams.builder().build();
        assertEquals(1, p.n());
        assertEquals(1.0, p.temperature());
        assertEquals(1.0, p.topP());
        assertEquals(-1, p.topK());
        assertEquals(0.0, p.minP());
        assertEquals(1.0, p.repetitionPenalty());
        assertEquals(16, p.maxTokens());
        assertNull(p.seed());
        assertNull(p.logprobs());
        assertEquals(true, p.skipSpecialTokens());
    }

    @Test
    void eachOutOfRangeValueNamesItsParameter() {
        reject(b -> b.n(0), "n", "n must be at least 1, got 0");
        reject(b -> b.temperature(-0.1), "temperature", "temperature must be non-negative and finite, got -0.1");
        reject(b -> b.temperature(Double.POSITIVE_INFINITY), "temperature",
                "temperature must be non-negative and finite, got Infinity");
        reject(b -> b.topP(0), "top_p", "top_p must be in (0, 1], got 0.0");
        reject(b -> b.topP(1.01), "top_p", "top_p must be in (0, 1], got 1.01");
        reject(b -> b.topK(-2), "top_k", "top_k must be -1 or 0 (disabled) or at least 1, got -2");
        reject(b -> b.minP(1.5), "min_p", "min_p must be in [0, 1], got 1.5");
        reject(b -> b.presencePenalty(2.5), "presence_penalty", "presence_penalty must be in [-2, 2], got 2.5");
        reject(b -> b.frequencyPenalty(-2.1), "frequency_penalty", "frequency_penalty must be in [-2, 2], got -2.1");
        reject(b -> b.repetitionPenalty(0), "repetition_penalty",
                "repetition_penalty must be greater than zero and finite, got 0.0");
        reject(b -> b.maxTokens(0), "max_tokens", "max_tokens must be at least 1, got 0");
        reject(b -> b.minTokens(-1), "min_tokens", "min_tokens must be greater than or equal to 0, got -1");
        reject(b -> b.maxTokens(5).minTokens(6), "min_tokens",
                "min_tokens must be less than or equal to max_tokens=5, got 6");
        reject(b -> b.logprobs(-1), "logprobs", "logprobs must be non-negative, got -1");
        reject(b -> b.promptLogprobs(-1), "prompt_logprobs", "prompt_logprobs must be non-negative, got -1");
        reject(b -> b.stop(List.of("ok", "")), "stop", "stop cannot contain an empty string");
        reject(b -> b.stop(Arrays.asList("ok", null)), "stop", "stop cannot contain null");
        reject(b -> b.stopTokenIds(List.of(-3)), "stop_token_ids", "stop_token_ids must be non-negative token ids, got -3");
        reject(b -> b.logitBias(Map.of(3, Float.POSITIVE_INFINITY)), "logit_bias",
                "logit_bias values must be finite, got Infinity for token 3");
    }

    @Test
    void nanIsRejectedEverywhere() {
        reject(b -> b.temperature(Double.NaN), "temperature", null);
        reject(b -> b.topP(Double.NaN), "top_p", null);
        reject(b -> b.minP(Double.NaN), "min_p", null);
        reject(b -> b.presencePenalty(Double.NaN), "presence_penalty", null);
        reject(b -> b.frequencyPenalty(Double.NaN), "frequency_penalty", null);
        reject(b -> b.repetitionPenalty(Double.NaN), "repetition_penalty", null);
        reject(b -> b.logitBias(Map.of(1, Float.NaN)), "logit_bias", null);
    }

    @Test
    void boundariesAreAccepted() {
        SamplingParams.builder().temperature(0).topP(1).topK(0).minP(1).presencePenalty(-2).frequencyPenalty(2)
                .maxTokens(1).minTokens(1).logprobs(20).build();
        SamplingParams.builder().topK(1).minP(0).logprobs(0).maxTokens(null).minTokens(1000).build();
    }

    @Test
    void vocabularyChecksNameTheTokenAndSize() {
        SamplingParams bias = SamplingParams.builder().logitBias(Map.of(32000, 1f)).build();
        var e = assertThrows(InvalidSamplingParamsException.class, () -> bias.validateForVocab(32000));
        assertEquals("logit_bias token id 32000 is out of vocabulary (size 32000)", e.getMessage());
        SamplingParams stopIds = SamplingParams.builder().stopTokenIds(List.of(1, 50000)).build();
        var s = assertThrows(InvalidSamplingParamsException.class, () -> stopIds.validateForVocab(32000));
        assertEquals("stop_token_ids token id 50000 is out of vocabulary (size 32000)", s.getMessage());
        bias.validateForVocab(32001);
    }

    private static void reject(UnaryOperator<SamplingParams.Builder> change, String parameter, String message) {
        var e = assertThrows(InvalidSamplingParamsException.class, () -> change.apply(SamplingParams.builder()).build());
        assertEquals(parameter, e.parameter());
        if (message != null) assertEquals(message, e.getMessage());
    }
}
