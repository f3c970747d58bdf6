package dev.pagoda.engine.sample;

import java.util.List;
import java.util.Map;

/**
 * How one request is sampled and when it stops; vLLM's {@code SamplingParams} with the same names
 * and meanings. Validation and defaults live beside this record (see the sampling package).
 *
 * @param n                       completions per prompt (parallel sampling shares the prompt's KV blocks)
 * @param temperature             0 means greedy
 * @param topP                    nucleus mass in (0, 1]; 1 disables
 * @param topK                    keep the k most likely; -1 (or 0) disables
 * @param minP                    drop tokens below minP × max probability; 0 disables
 * @param presencePenalty         OpenAI presence penalty over generated tokens, [-2, 2]
 * @param frequencyPenalty        OpenAI frequency penalty over generated tokens, [-2, 2]
 * @param repetitionPenalty       HF/CTRL multiplicative penalty over prompt and generated tokens; 1 disables
 * @param seed                    per-request seed, null for a random one; same seed, same output whatever the batch
 * @param maxTokens               generated tokens at most; null means up to the model's context length
 * @param minTokens               EOS and stop token ids are masked until this many were generated
 * @param stop                    stop strings; the text stops before them
 * @param stopTokenIds            extra token ids that end the request (kept in the output ids)
 * @param ignoreEos               keep generating after EOS
 * @param logprobs                number of top log-probabilities to return per token; null for none
 * @param logitBias               token id → bias added to its logit before sampling
 * @param includeStopStrInOutput  keep the matched stop string in the text
 * @param skipSpecialTokens       leave special tokens out of the detokenized text
 */
public record SamplingParams(
        int n,
        double temperature,
        double topP,
        int topK,
        double minP,
        double presencePenalty,
        double frequencyPenalty,
        double repetitionPenalty,
        Long seed,
        Integer maxTokens,
        int minTokens,
        List<String> stop,
        List<Integer> stopTokenIds,
        boolean ignoreEos,
        Integer logprobs,
        Map<Integer, Float> logitBias,
        boolean includeStopStrInOutput,
        boolean skipSpecialTokens) {

    public SamplingParams {
        stop = List.copyOf(stop);
        stopTokenIds = List.copyOf(stopTokenIds);
        logitBias = Map.copyOf(logitBias);
    }

    /** Greedy decoding of at most {@code maxTokens} tokens, nothing else switched on. */
    public static SamplingParams greedy(int maxTokens) {
        return new SamplingParams(1, 0.0, 1.0, -1, 0.0, 0.0, 0.0, 1.0, null, maxTokens, 0,
                List.of(), List.of(), false, null, Map.of(), false, true);
    }

    public boolean isGreedy() {
        return temperature == 0.0;
    }
}
