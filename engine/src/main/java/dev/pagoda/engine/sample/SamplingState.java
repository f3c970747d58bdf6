package dev.pagoda.engine.sample;

import dev.pagoda.engine.structured.GrammarMatcher;
import dev.pagoda.engine.structured.StructuredOutput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * One request's sampling state: its parameters, which tokens it has seen (for the penalties) and
 * its own random generator. The generator is per request and advanced exactly once per generated
 * token, so a seeded request produces the same tokens whatever else shares its batch and
 * whatever order the batch is sampled in. A request with a structured-output constraint also
 * holds its grammar matcher, advanced by every token appended — sampled here or on a device — so
 * the next mask follows the output (tokens recomputed after preemption are not appended again).
 * Not thread-safe; one thread samples a request at a time.
 */
public final class SamplingState {

    private final SamplingParams params;
    private final SamplerVocab vocab;
    private final SplittableRandom rng;
    private final TokenCounts promptTokens = new TokenCounts();
    private final TokenCounts outputTokens = new TokenCounts();
    private final int promptLength;
    private final boolean countsTokens;
    private int[] outputIds = new int[16]; // (outputCount) generated ids in order
    private int outputCount;
    private int launchedDeviceSamples; // device draws launched whose token has not come back yet
    private final int[] biasIds;             // (bias entries) ascending ids, so the order never depends on a hash
    private final float[] biasValues;        // (bias entries)
    private final int[] minTokensMaskedIds;  // EOS ∪ stop_token_ids: masked to -inf until min_tokens
    private final GrammarMatcher grammar;    // null without structured output
    private final long[] mask;               // (vocab / 64) the grammar's allowed tokens, refilled per draw

    private SamplingState(SamplingParams params, int[] promptTokenIds, SamplerVocab vocab, SplittableRandom rng) {
        this.params = params;
        this.vocab = vocab;
        this.rng = rng;
        this.promptLength = promptTokenIds.length;
        // Token counts feed only the penalties (Sampler skips them when neutral): without
        // penalties a request keeps none, which saves a map update per generated token.
        this.countsTokens = params.repetitionPenalty() != 1 || params.frequencyPenalty() != 0 || params.presencePenalty() != 0;
        for (int id : promptTokenIds) {
            if (id < 0 || id >= vocab.size()) {
                throw new IllegalArgumentException("prompt token id " + id + " is out of vocabulary (size " + vocab.size() + ")");
            }
            if (countsTokens) promptTokens.add(id);
        }
        Map<Integer, Float> sortedBias = new TreeMap<>(params.logitBias());
        biasIds = sortedBias.keySet().stream().mapToInt(Integer::intValue).toArray();
        biasValues = new float[biasIds.length];
        int i = 0;
        for (float v : sortedBias.values()) biasValues[i++] = v;
        List<Integer> masked = new ArrayList<>(vocab.eosTokenIds());
        masked.addAll(params.stopTokenIds());
        minTokensMaskedIds = masked.stream().mapToInt(Integer::intValue).distinct().toArray();
        this.grammar = grammarFor(params, vocab);
        this.mask = grammar == null ? null : new long[grammar.maskWords()];
    }

    /** A fresh matcher of the request's constraint (compiled at submit, so normally from the cache); its stop token ids end it like EOS. */
    private static GrammarMatcher grammarFor(SamplingParams params, SamplerVocab vocab) {
        StructuredOutput spec = params.structuredOutput();
        if (spec == null) return null;
        if (vocab.structuredOutputs() == null) {
            throw new InvalidSamplingParamsException(spec.parameter(), spec.parameter() + ": structured output needs the model's tokenizer");
        }
        return vocab.structuredOutputs().compile(spec).newMatcher(params.stopTokenIds().stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * State for a request's first (or only) completion.
     *
     * @throws InvalidSamplingParamsException when the parameters are out of range or name ids outside the vocabulary
     */
    public static SamplingState create(SamplingParams params, int[] promptTokenIds, SamplerVocab vocab) {
        return createChild(params, promptTokenIds, vocab, 0);
    }

    /**
     * State for completion {@code childIndex} of a request with {@code n > 1}: seeded with
     * {@code seed + childIndex} as vLLM does, so the n completions differ yet each is reproducible.
     */
    public static SamplingState createChild(SamplingParams params, int[] promptTokenIds, SamplerVocab vocab,
                                            int childIndex) {
        params.validate().validateForVocab(vocab.size());
        if (childIndex < 0 || childIndex >= params.n()) {
            throw new IllegalArgumentException("child index must be in [0, n=" + params.n() + "), got " + childIndex);
        }
        SplittableRandom rng = params.seed() == null
                ? new SplittableRandom()
                : new SplittableRandom(params.seed() + childIndex);
        return new SamplingState(params, promptTokenIds, vocab, rng);
    }

    public SamplingParams params() {
        return params;
    }

    public SamplerVocab vocab() {
        return vocab;
    }

    public int promptLength() {
        return promptLength;
    }

    public int outputCount() {
        return outputCount;
    }

    public int lastOutputToken() {
        if (outputCount == 0) throw new IllegalStateException("no token generated yet");
        return outputIds[outputCount - 1];
    }

    /** The generated ids so far (a copy). */
    public int[] outputTokenIds() {
        return Arrays.copyOf(outputIds, outputCount);
    }

    /** Records a generated token; {@link Sampler} calls it for each token it returns. */
    void append(int tokenId) {
        if (grammar != null && !grammar.accept(tokenId)) {
            throw new IllegalStateException("token " + tokenId + " is not allowed by the structured output (" + params.structuredOutput().parameter() + ") here");
        }
        if (outputCount == outputIds.length) outputIds = Arrays.copyOf(outputIds, outputCount * 2);
        outputIds[outputCount++] = tokenId;
        if (countsTokens) outputTokens.add(tokenId);
    }

    /**
     * Whether the next token needs the row's logits on the host: logprobs, logit bias,
     * penalties or an active min_tokens mask are applied by {@link Sampler}. Otherwise a device
     * can sample (temperature, top-k, top-p, min-p and greedy need nothing else).
     */
    public boolean needsHostLogits() {
        return params.logprobs() != null
                || biasIds.length > 0
                || params.presencePenalty() != 0 || params.frequencyPenalty() != 0 || params.repetitionPenalty() != 1
                || (nextOutputIndex() < params.minTokens() && minTokensMaskedIds.length > 0);
    }

    /**
     * The seed of the device's draw for the next token, taken from this request's own generator
     * (one value per token, as {@link Sampler} takes one uniform), so a seeded request draws the
     * same tokens whatever shares its batch.
     */
    public long nextDeviceSeed() {
        launchedDeviceSamples++;
        return rng.nextLong();
    }

    /**
     * Index in the output of the token the next draw samples: tokens generated plus device draws
     * still in flight (a step may be launched before the previous one's token came back).
     */
    public int nextOutputIndex() {
        return outputCount + launchedDeviceSamples;
    }

    /** Records a token a device sampled (after {@link #nextDeviceSeed}) and reports it without logprobs. */
    public SampledToken acceptDeviceSample(int tokenId) {
        if (tokenId < 0 || tokenId >= vocab.size()) {
            throw new IllegalStateException("device sampled token id " + tokenId + " outside the vocabulary (size " + vocab.size() + ")");
        }
        if (launchedDeviceSamples == 0) throw new IllegalStateException("a device sample arrived that was never launched");
        launchedDeviceSamples--;
        append(tokenId);
        return SampledToken.of(tokenId);
    }

    /** The structured-output matcher, or null for free text. */
    public GrammarMatcher grammar() {
        return grammar;
    }

    /**
     * The tokens the structured output allows next, as a bitmask over the vocabulary (bit
     * {@code id % 64} of word {@code id / 64}); null for free text. The array is reused: read it
     * before the next call.
     */
    public long[] structuredMask() {
        if (grammar == null) return null;
        grammar.fillMask(mask);
        return mask;
    }

    /** The request's one uniform draw in [0, 1) for its next token. */
    double nextUniform() {
        return rng.nextDouble();
    }

    TokenCounts promptTokens() {
        return promptTokens;
    }

    TokenCounts outputTokens() {
        return outputTokens;
    }

    int[] biasIds() {
        return biasIds;
    }

    float[] biasValues() {
        return biasValues;
    }

    int[] minTokensMaskedIds() {
        return minTokensMaskedIds;
    }
}
