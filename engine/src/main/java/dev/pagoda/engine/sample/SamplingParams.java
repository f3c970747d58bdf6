package dev.pagoda.engine.sample;

import dev.pagoda.engine.structured.StructuredOutput;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How one request is sampled and when it stops; vLLM's {@code SamplingParams} with the same names
 * and meanings. {@link #builder()} starts from vLLM's defaults; {@link #validate()} applies vLLM's
 * range checks and {@link #validateForVocab} the checks that need the model's vocabulary size.
 * The constructor only copies; it does not validate, so a record built directly must be validated
 * before use.
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
 * @param promptLogprobs          top log-probabilities to return for every prompt token; null for none
 * @param structuredOutput        the grammar the output must match; null for free text
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
        boolean skipSpecialTokens,
        Integer promptLogprobs,
        StructuredOutput structuredOutput) {

    /** Temperatures below this are greedy, as vLLM's {@code _SAMPLING_EPS}: dividing by them overflows. */
    public static final double GREEDY_TEMPERATURE_EPS = 1e-5;
    /** Most top log-probabilities a request may ask for unless the engine says otherwise (vLLM's default {@code --max-logprobs}). */
    public static final int DEFAULT_MAX_LOGPROBS = 20;

    public SamplingParams {
        stop = copyWithoutNulls(stop, "stop");
        stopTokenIds = copyWithoutNulls(stopTokenIds, "stop_token_ids");
        logitBias = copyWithoutNulls(logitBias);
    }

    /** Without prompt logprobs or structured output. */
    public SamplingParams(int n, double temperature, double topP, int topK, double minP, double presencePenalty,
            double frequencyPenalty, double repetitionPenalty, Long seed, Integer maxTokens, int minTokens,
            List<String> stop, List<Integer> stopTokenIds, boolean ignoreEos, Integer logprobs,
            Map<Integer, Float> logitBias, boolean includeStopStrInOutput, boolean skipSpecialTokens) {
        this(n, temperature, topP, topK, minP, presencePenalty, frequencyPenalty, repetitionPenalty, seed, maxTokens,
                minTokens, stop, stopTokenIds, ignoreEos, logprobs, logitBias, includeStopStrInOutput,
                skipSpecialTokens, null, null);
    }

    /** vLLM's defaults: n 1, temperature 1, top_p 1, top_k -1, max_tokens 16, everything else off. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this record's values, to change a few. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Greedy decoding of at most {@code maxTokens} tokens, nothing else switched on. */
    public static SamplingParams greedy(int maxTokens) {
        return new SamplingParams(1, 0.0, 1.0, -1, 0.0, 0.0, 0.0, 1.0, null, maxTokens, 0,
                List.of(), List.of(), false, null, Map.of(), false, true);
    }

    /** Greedy (argmax) decoding: temperature 0, or so close to it that vLLM treats it as 0. */
    public boolean isGreedy() {
        return temperature < GREEDY_TEMPERATURE_EPS;
    }

    /**
     * vLLM's range checks ({@code SamplingParams._verify_args}); NaN fails every check.
     *
     * @throws InvalidSamplingParamsException naming the first parameter out of range
     */
    public SamplingParams validate() {
        if (n < 1) fail("n", "must be at least 1, got " + n);
        if (!(temperature >= 0.0) || Double.isInfinite(temperature)) {
            fail("temperature", "must be non-negative and finite, got " + temperature);
        }
        if (!(topP > 0.0 && topP <= 1.0)) fail("top_p", "must be in (0, 1], got " + topP);
        if (topK < -1) fail("top_k", "must be -1 or 0 (disabled) or at least 1, got " + topK);
        if (!(minP >= 0.0 && minP <= 1.0)) fail("min_p", "must be in [0, 1], got " + minP);
        checkPenalty("presence_penalty", presencePenalty);
        checkPenalty("frequency_penalty", frequencyPenalty);
        if (!(repetitionPenalty > 0.0) || Double.isInfinite(repetitionPenalty)) {
            fail("repetition_penalty", "must be greater than zero and finite, got " + repetitionPenalty);
        }
        if (maxTokens != null && maxTokens < 1) fail("max_tokens", "must be at least 1, got " + maxTokens);
        if (minTokens < 0) fail("min_tokens", "must be greater than or equal to 0, got " + minTokens);
        if (maxTokens != null && minTokens > maxTokens) {
            fail("min_tokens", "must be less than or equal to max_tokens=" + maxTokens + ", got " + minTokens);
        }
        if (logprobs != null && logprobs < 0) fail("logprobs", "must be non-negative, got " + logprobs);
        if (promptLogprobs != null && promptLogprobs < 0) fail("prompt_logprobs", "must be non-negative, got " + promptLogprobs);
        for (String s : stop) {
            if (s.isEmpty()) fail("stop", "cannot contain an empty string");
        }
        for (int id : stopTokenIds) {
            if (id < 0) fail("stop_token_ids", "must be non-negative token ids, got " + id);
        }
        for (Map.Entry<Integer, Float> e : logitBias.entrySet()) {
            if (!Float.isFinite(e.getValue())) {
                fail("logit_bias", "values must be finite, got " + e.getValue() + " for token " + e.getKey());
            }
        }
        return this;
    }

    /**
     * The checks that need the model: every token id named in {@code logit_bias} and
     * {@code stop_token_ids} must be below {@code vocabSize}.
     */
    public SamplingParams validateForVocab(int vocabSize) {
        for (int id : logitBias.keySet()) {
            if (id < 0 || id >= vocabSize) {
                fail("logit_bias", "token id " + id + " is out of vocabulary (size " + vocabSize + ")");
            }
        }
        for (int id : stopTokenIds) {
            if (id < 0 || id >= vocabSize) {
                fail("stop_token_ids", "token id " + id + " is out of vocabulary (size " + vocabSize + ")");
            }
        }
        return this;
    }

    /** The engine's {@code --max-logprobs}: neither logprobs nor prompt_logprobs may ask for more, as vLLM checks. */
    public SamplingParams validateLogprobLimit(int maxLogprobs) {
        if (logprobs != null && logprobs > maxLogprobs) {
            fail("logprobs", "Requested sample logprobs of " + logprobs + ", which is greater than max allowed: " + maxLogprobs);
        }
        if (promptLogprobs != null && promptLogprobs > maxLogprobs) {
            fail("prompt_logprobs", "Requested prompt logprobs of " + promptLogprobs + ", which is greater than max allowed: "
                    + maxLogprobs);
        }
        return this;
    }

    private static void checkPenalty(String name, double value) {
        if (!(value >= -2.0 && value <= 2.0)) fail(name, "must be in [-2, 2], got " + value);
    }

    private static void fail(String parameter, String problem) {
        throw new InvalidSamplingParamsException(parameter, problem.startsWith("Requested") ? problem : parameter + " " + problem);
    }

    private static <T> List<T> copyWithoutNulls(List<T> list, String parameter) {
        if (list == null) return List.of();
        for (T item : list) {
            if (item == null) fail(parameter, "cannot contain null");
        }
        return List.copyOf(list);
    }

    private static Map<Integer, Float> copyWithoutNulls(Map<Integer, Float> map) {
        if (map == null) return Map.of();
        for (Map.Entry<Integer, Float> e : map.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) fail("logit_bias", "cannot contain null keys or values");
        }
        return Map.copyOf(map);
    }

    /** Mutable staging for a {@link SamplingParams}; {@link #build()} validates. */
    public static final class Builder {
        private int n = 1;
        private double temperature = 1.0;
        private double topP = 1.0;
        private int topK = -1;
        private double minP = 0.0;
        private double presencePenalty = 0.0;
        private double frequencyPenalty = 0.0;
        private double repetitionPenalty = 1.0;
        private Long seed;
        // vLLM's SamplingParams default; the OpenAI routes pass the context's remaining room instead.
        private Integer maxTokens = 16;
        private int minTokens = 0;
        private List<String> stop = new ArrayList<>();
        private List<Integer> stopTokenIds = new ArrayList<>();
        private boolean ignoreEos;
        private Integer logprobs;
        private Map<Integer, Float> logitBias = new HashMap<>();
        private boolean includeStopStrInOutput;
        private boolean skipSpecialTokens = true;
        private Integer promptLogprobs;
        private StructuredOutput structuredOutput;

        private Builder() {
        }

        private Builder(SamplingParams p) {
            n = p.n; temperature = p.temperature; topP = p.topP; topK = p.topK; minP = p.minP;
            presencePenalty = p.presencePenalty; frequencyPenalty = p.frequencyPenalty;
            repetitionPenalty = p.repetitionPenalty; seed = p.seed; maxTokens = p.maxTokens;
            minTokens = p.minTokens; stop = p.stop; stopTokenIds = p.stopTokenIds; ignoreEos = p.ignoreEos;
            logprobs = p.logprobs; logitBias = p.logitBias; includeStopStrInOutput = p.includeStopStrInOutput;
            skipSpecialTokens = p.skipSpecialTokens; promptLogprobs = p.promptLogprobs;
            structuredOutput = p.structuredOutput;
        }

        public Builder n(int v) { n = v; return this; }
        public Builder temperature(double v) { temperature = v; return this; }
        public Builder topP(double v) { topP = v; return this; }
        public Builder topK(int v) { topK = v; return this; }
        public Builder minP(double v) { minP = v; return this; }
        public Builder presencePenalty(double v) { presencePenalty = v; return this; }
        public Builder frequencyPenalty(double v) { frequencyPenalty = v; return this; }
        public Builder repetitionPenalty(double v) { repetitionPenalty = v; return this; }
        public Builder seed(Long v) { seed = v; return this; }
        public Builder maxTokens(Integer v) { maxTokens = v; return this; }
        public Builder minTokens(int v) { minTokens = v; return this; }
        public Builder stop(List<String> v) { stop = v; return this; }
        public Builder stopTokenIds(List<Integer> v) { stopTokenIds = v; return this; }
        public Builder ignoreEos(boolean v) { ignoreEos = v; return this; }
        public Builder logprobs(Integer v) { logprobs = v; return this; }
        public Builder logitBias(Map<Integer, Float> v) { logitBias = v; return this; }
        public Builder includeStopStrInOutput(boolean v) { includeStopStrInOutput = v; return this; }
        public Builder skipSpecialTokens(boolean v) { skipSpecialTokens = v; return this; }
        public Builder promptLogprobs(Integer v) { promptLogprobs = v; return this; }
        public Builder structuredOutput(StructuredOutput v) { structuredOutput = v; return this; }

        /** @throws InvalidSamplingParamsException naming the first parameter out of range */
        public SamplingParams build() {
            return new SamplingParams(n, temperature, topP, topK, minP, presencePenalty, frequencyPenalty,
                    repetitionPenalty, seed, maxTokens, minTokens, stop, stopTokenIds, ignoreEos, logprobs,
                    logitBias, includeStopStrInOutput, skipSpecialTokens, promptLogprobs, structuredOutput).validate();
        }
    }
}
