package dev.pagoda.engine.api;

import dev.pagoda.engine.api.FinishReason;
import dev.pagoda.engine.api.TokenLogprobs;
import java.util.List;

/**
 * New output of one sample (choice) of a request.
 *
 * @param index        the sample (OpenAI choice index), 0..n-1
 * @param tokenIds     tokens generated since the previous delta
 * @param text         their detokenized text, with stop strings already cut; "" without a tokenizer
 * @param logprobs     one per token when logprobs were asked for, else empty
 * @param finishReason null while the sample goes on
 * @param stopReason   vLLM's stop_reason: the matched stop string (String) or stop token id (Integer); null for EOS or length
 */
public record SampleDelta(
        int index, int[] tokenIds, String text, List<TokenLogprobs> logprobs, FinishReason finishReason, Object stopReason) {

    public SampleDelta {
        tokenIds = tokenIds.clone();
        logprobs = List.copyOf(logprobs);
    }

    @Override
    public int[] tokenIds() {
        return tokenIds.clone();
    }
}
