package dev.pagoda.engine.sample;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Picks the next token of one request from its logits row, in vLLM's order:
 * <ol>
 *   <li>a structured-output constraint masks every token its grammar does not allow next to -inf
 *       (so greedy and random draws alike only ever pick allowed tokens);</li>
 *   <li>logit bias is added;</li>
 *   <li>EOS and {@code stop_token_ids} are masked to -inf while fewer than {@code min_tokens} were generated;</li>
 *   <li>repetition penalty (HF/CTRL) over every distinct prompt or generated token:
 *       {@code logit > 0 ? logit / p : logit * p};</li>
 *   <li>frequency and presence penalties (OpenAI) over generated tokens:
 *       {@code logit -= count * frequency + (count > 0 ? presence : 0)};</li>
 *   <li>greedy requests (temperature below {@link SamplingParams#GREEDY_TEMPERATURE_EPS}) take the
 *       argmax here, ties to the lowest id;</li>
 *   <li>otherwise: temperature, then top-k (every token tied with the k-th largest logit stays, as
 *       vLLM's threshold mask does), then top-p over the top-k-renormalised distribution (the
 *       shortest most-likely-first prefix whose mass reaches p), then min-p (tokens whose
 *       probability is below {@code min_p ×} the largest are dropped; a ratio, so it is the same
 *       before or after renormalisation), then one draw from what is left.</li>
 * </ol>
 * vLLM V1 applies min-p before top-k/top-p; V0 and this class apply it last. The two differ only
 * when top-p and min-p are both on (top-p then sees the min-p-filtered mass).
 *
 * <p>The random draw is one uniform per generated token from the request's own generator (greedy
 * requests draw too), so a seed reproduces a request's output whatever else is in the batch.
 * Log-probabilities are those of the raw logits; see {@link SampledToken}.
 *
 * <p>Cost per token: a handful of vectorised passes over the vocabulary (copy, max, exp, and for
 * top-p the mass above a weight floor). The vocabulary is never sorted: top-k finds its
 * threshold by a one-pass selection (small k) or quickselect, and top-p sorts only the tokens
 * above the highest floor whose mass reaches p. All vocabulary-sized
 * buffers are allocated once per sampler, so a sampler serves one thread; give each sampling
 * thread its own.
 */
public final class Sampler {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Weight floors (relative to the max token's 1) tried in turn to bound top-p's sort; 0 = all. */
    private static final float[] TOP_P_FLOORS = {0x1p-8f, 0x1p-24f, 0f};
    /** Above this k the one-pass selection's insertions cost more than a quickselect. */
    private static final int SMALL_TOP_K = 64;
    /** Vectors summed in float lanes before the block's total joins a double (bounds rounding error). */
    private static final int SUM_BLOCK = 64;

    private final int size;
    private final float[] rowCopy;     // (vocab) a MemorySegment row copied to the heap
    private final float[] logits;      // (vocab) working logits, processed in place
    private final float[] weights;     // (vocab) exp((logit - max) / temperature); 0 for filtered tokens
    private final float[] selection;   // (vocab) scratch for the quickselect of a large top-k
    private final long[] sortKeys;     // (vocab) top-p candidates packed as (descending weight, id)
    private final int[] candidates;    // (vocab) ids still in the running, in sampling order
    private final TopValues top = new TopValues();

    public Sampler(SamplerVocab vocab) {
        this.size = vocab.size();
        rowCopy = new float[size];
        logits = new float[size];
        weights = new float[size];
        selection = new float[size];
        sortKeys = new long[size];
        candidates = new int[size];
    }

    /** Samples from the row of {@code vocab.size()} floats starting at {@code offset} of {@code logitsRows}. */
    public SampledToken sample(float[] logitsRows, int offset, SamplingState state) {
        if (offset < 0 || logitsRows.length - offset < size) {
            throw new IllegalArgumentException("logits row at offset " + offset + " needs " + size
                    + " floats, the array holds " + logitsRows.length);
        }
        checkState(state);
        return sampleRow(logitsRows, offset, state);
    }

    /** Samples from a row of {@code vocab.size()} native-order f32 values. */
    public SampledToken sample(MemorySegment logitsRow, SamplingState state) {
        if (logitsRow.byteSize() != (long) size * Float.BYTES) {
            throw new IllegalArgumentException("logits row must hold " + size + " f32 values ("
                    + (long) size * Float.BYTES + " bytes), got " + logitsRow.byteSize() + " bytes");
        }
        checkState(state);
        MemorySegment.copy(logitsRow, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, rowCopy, 0, size);
        return sampleRow(rowCopy, 0, state);
    }

    /**
     * Scores {@code token} in a row without drawing anything: its log-probability and the
     * {@code topN} most likely ids, from the raw logits as every logprob here (prompt logprobs).
     */
    public SampledToken score(MemorySegment logitsRow, int token, int topN) {
        if (logitsRow.byteSize() != (long) size * Float.BYTES) {
            throw new IllegalArgumentException("logits row must hold " + size + " f32 values, got " + logitsRow.byteSize() + " bytes");
        }
        if (token < 0 || token >= size) throw new IllegalArgumentException("token " + token + " outside the vocabulary of " + size);
        MemorySegment.copy(logitsRow, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, rowCopy, 0, size);
        return withLogprobs(rowCopy, 0, token, topN);
    }

    private void checkState(SamplingState state) {
        if (state.vocab().size() != size) {
            throw new IllegalArgumentException("request was set up for a vocabulary of " + state.vocab().size()
                    + " tokens, this sampler has " + size);
        }
    }

    private SampledToken sampleRow(float[] raw, int offset, SamplingState state) {
        SamplingParams params = state.params();
        applyLogitProcessors(raw, offset, state);
        double u = state.nextUniform();
        int chosen = params.isGreedy() ? argmax() : sampleRandom(params, u);
        SampledToken token = params.logprobs() == null
                ? new SampledToken(chosen, Float.NaN, List.of())
                : withLogprobs(raw, offset, chosen, params.logprobs());
        state.append(chosen);
        return token;
    }

    /** Steps 1–5 of the class comment, into {@link #logits}. */
    private void applyLogitProcessors(float[] raw, int offset, SamplingState state) {
        System.arraycopy(raw, offset, logits, 0, size);
        long[] mask = state.structuredMask();
        if (mask != null) applyMask(mask);
        int[] biasIds = state.biasIds();
        float[] biasValues = state.biasValues();
        for (int i = 0; i < biasIds.length; i++) logits[biasIds[i]] += biasValues[i];
        // where the grammar is complete only EOS is left: min_tokens gives way rather than mask everything
        boolean grammarMustEnd = state.grammar() != null && state.grammar().mustEnd();
        if (state.outputCount() < state.params().minTokens() && !grammarMustEnd) {
            for (int id : state.minTokensMaskedIds()) logits[id] = Float.NEGATIVE_INFINITY;
        }
        applyRepetitionPenalty(state);
        applyFrequencyPresencePenalties(state);
    }

    /** -inf for every token whose bit is clear in {@code mask}. */
    private void applyMask(long[] mask) {
        for (int w = 0, words = Math.ceilDiv(size, 64); w < words; w++) {
            long bits = mask[w];
            if (bits == -1L) continue;
            int base = w << 6, end = Math.min(size, base + 64);
            if (bits == 0) {
                Arrays.fill(logits, base, end, Float.NEGATIVE_INFINITY);
                continue;
            }
            for (int i = base; i < end; i++) if ((bits & (1L << (i - base))) == 0) logits[i] = Float.NEGATIVE_INFINITY;
        }
    }

    /** The logits after bias, masking and penalties (a copy), without drawing or recording; for tests. */
    float[] processedLogits(float[] row, SamplingState state) {
        checkState(state);
        applyLogitProcessors(row, 0, state);
        return logits.clone();
    }

    private void applyRepetitionPenalty(SamplingState state) {
        float penalty = (float) state.params().repetitionPenalty();
        if (penalty == 1f) return;
        TokenCounts prompt = state.promptTokens(), output = state.outputTokens();
        for (int i = 0; i < output.size(); i++) penalise(output.idAt(i), penalty);
        for (int i = 0; i < prompt.size(); i++) {
            int id = prompt.idAt(i);
            if (!output.contains(id)) penalise(id, penalty); // each distinct token once
        }
    }

    private void penalise(int id, float penalty) {
        float l = logits[id];
        logits[id] = l > 0 ? l / penalty : l * penalty;
    }

    private void applyFrequencyPresencePenalties(SamplingState state) {
        float frequency = (float) state.params().frequencyPenalty();
        float presence = (float) state.params().presencePenalty();
        if (frequency == 0f && presence == 0f) return;
        TokenCounts output = state.outputTokens();
        for (int i = 0; i < output.size(); i++) {
            int id = output.idAt(i);
            logits[id] -= output.count(id) * frequency + presence;
        }
    }

    /** Index of the largest working logit; the lowest id among equals. */
    private int argmax() {
        float max = checkedMax(logits, 0);
        for (int i = 0; ; i++) {
            if (logits[i] == max) return i;
        }
    }

    /** Largest value of a row; rejects rows where nothing can be sampled. */
    private float checkedMax(float[] row, int offset) {
        FloatVector acc = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (int bound = F.loopBound(size); i < bound; i += F.length()) {
            acc = acc.lanewise(VectorOperators.MAX, FloatVector.fromArray(F, row, offset + i));
        }
        float max = acc.reduceLanes(VectorOperators.MAX);
        for (; i < size; i++) max = Math.max(max, row[offset + i]);
        if (Float.isNaN(max)) throw new IllegalStateException("logits row contains NaN");
        if (max == Float.NEGATIVE_INFINITY) {
            throw new IllegalStateException("no token can be sampled: every logit is -inf after "
                    + "the structured-output mask, logit_bias, min_tokens masking and penalties");
        }
        if (max == Float.POSITIVE_INFINITY) throw new IllegalStateException("logits row contains +inf");
        return max;
    }

    private int sampleRandom(SamplingParams params, double u) {
        float max = checkedMax(logits, 0);
        int k = params.topK();
        float threshold = (k > 0 && k < size) ? kthLargest(k) : Float.NEGATIVE_INFINITY;
        float invTemperature = (float) (1.0 / params.temperature());
        double total = exponentiate(max, invTemperature, threshold);

        int count;
        if (params.topP() < 1.0) {
            count = topPCandidates(params.topP() * total);
        } else if (params.minP() > 0 || threshold > Float.NEGATIVE_INFINITY) {
            count = collectIds((float) params.minP());
        } else {
            return drawFromAll(u, total);
        }
        if (params.minP() > 0) count = applyMinP(count, (float) params.minP());
        return drawFromCandidates(u, count);
    }

    /**
     * weights = exp((logit - max) / temperature) for logits at or above the top-k threshold, else
     * 0; returns their sum.
     */
    private double exponentiate(float max, float invTemperature, float threshold) {
        FloatVector vMax = FloatVector.broadcast(F, max);
        FloatVector vInv = FloatVector.broadcast(F, invTemperature);
        double total = 0;
        int i = 0;
        for (int bound = F.loopBound(size); i < bound; ) {
            FloatVector blockSum = FloatVector.zero(F);
            for (int end = Math.min(bound, i + SUM_BLOCK * F.length()); i < end; i += F.length()) {
                FloatVector l = FloatVector.fromArray(F, logits, i);
                FloatVector w = l.sub(vMax).mul(vInv).lanewise(VectorOperators.EXP)
                        .blend(0f, l.compare(VectorOperators.LT, threshold));
                w.intoArray(weights, i);
                blockSum = blockSum.add(w);
            }
            total += blockSum.reduceLanes(VectorOperators.ADD);
        }
        for (; i < size; i++) {
            float l = logits[i];
            weights[i] = l >= threshold ? (float) Math.exp((l - max) * invTemperature) : 0f;
            total += weights[i];
        }
        return total;
    }

    /**
     * Keeps, most likely first, the tokens whose preceding mass is below {@code target} (so the
     * kept mass just reaches top_p). Only the tokens above the highest weight floor whose mass
     * reaches the target are collected and sorted: with the max's weight at 1, a floor of 2^-8
     * (5.5 nats below the max) is enough for most LLM rows, 2^-24 for nearly all the rest.
     */
    private int topPCandidates(double target) {
        float floor = 0f;
        for (float rung : TOP_P_FLOORS) {
            if (massAtLeast(rung) >= target) {
                floor = rung;
                break;
            }
        }
        int collected = collectIds(floor);
        for (int j = 0; j < collected; j++) {
            int id = candidates[j];
            // Non-negative floats order like their bits; invert for descending, the id breaks ties.
            long descendingWeight = Integer.MAX_VALUE - Float.floatToRawIntBits(weights[id]);
            sortKeys[j] = (descendingWeight << 32) | id;
        }
        Arrays.sort(sortKeys, 0, collected);
        int kept = 0;
        double before = 0;
        for (int j = 0; j < collected && before < target; j++) {
            int id = (int) sortKeys[j];
            candidates[kept++] = id;
            before += weights[id];
        }
        return kept;
    }

    /**
     * Puts the ids whose weight is positive and at least {@code floor} into {@link #candidates},
     * in id order; whole vectors without one are skipped. Returns how many.
     */
    private int collectIds(float floor) {
        // Weights are > 0 for tokens still in the running; MIN_VALUE makes floor 0 mean exactly that.
        float atLeast = Math.max(floor, Float.MIN_VALUE);
        int count = 0;
        int i = 0;
        for (int bound = F.loopBound(size); i < bound; i += F.length()) {
            if (!FloatVector.fromArray(F, weights, i).compare(VectorOperators.GE, atLeast).anyTrue()) continue;
            for (int id = i; id < i + F.length(); id++) if (weights[id] >= atLeast) candidates[count++] = id;
        }
        for (; i < size; i++) if (weights[i] >= atLeast) candidates[count++] = i;
        return count;
    }

    /** Σ weights[i] over weights ≥ floor. */
    private double massAtLeast(float floor) {
        double mass = 0;
        int i = 0;
        for (int bound = F.loopBound(size); i < bound; ) {
            FloatVector blockSum = FloatVector.zero(F);
            for (int end = Math.min(bound, i + SUM_BLOCK * F.length()); i < end; i += F.length()) {
                FloatVector w = FloatVector.fromArray(F, weights, i);
                blockSum = blockSum.add(w, w.compare(VectorOperators.GE, floor));
            }
            mass += blockSum.reduceLanes(VectorOperators.ADD);
        }
        for (; i < size; i++) if (weights[i] >= floor) mass += weights[i];
        return mass;
    }

    /** min-p: the max token's weight is exactly 1, so the threshold is min_p itself. */
    private int applyMinP(int count, float minP) {
        int kept = 0;
        for (int j = 0; j < count; j++) {
            int id = candidates[j];
            if (weights[id] >= minP) candidates[kept++] = id;
        }
        return kept;
    }

    /**
     * Inverse-CDF draw over every token, in id order. Skips ahead a block of weights at a time
     * (a vector sum) and walks only the block where the target falls.
     */
    private int drawFromAll(double u, double total) {
        double target = u * total;
        double cumulative = 0;
        int block = Math.max(64, F.length());
        int i = 0;
        for (int bound = size - size % block; i < bound; i += block) {
            FloatVector sum = FloatVector.fromArray(F, weights, i);
            for (int j = i + F.length(); j < i + block; j += F.length()) sum = sum.add(FloatVector.fromArray(F, weights, j));
            float blockSum = sum.reduceLanes(VectorOperators.ADD);
            if (cumulative + blockSum > target) break;
            cumulative += blockSum;
        }
        int last = -1;
        for (; i < size; i++) {
            float w = weights[i];
            if (w == 0f) continue;
            cumulative += w;
            if (cumulative > target) return i;
            last = i;
        }
        if (last < 0) { // rounding put the target past a block's float sum; take the last token drawn
            for (int j = size - 1; j >= 0; j--) if (weights[j] > 0f) return j;
        }
        return last; // rounding left the target at the very top
    }

    private int drawFromCandidates(double u, int count) {
        double total = 0;
        for (int j = 0; j < count; j++) total += weights[candidates[j]];
        double target = u * total;
        double cumulative = 0;
        for (int j = 0; j < count; j++) {
            cumulative += weights[candidates[j]];
            if (cumulative > target) return candidates[j];
        }
        return candidates[count - 1];
    }

    /** The k-th largest working logit. */
    private float kthLargest(int k) {
        if (k <= SMALL_TOP_K) {
            top.select(logits, 0, size, k);
            return top.value(k - 1);
        }
        float[] a = selection;
        System.arraycopy(logits, 0, a, 0, size);
        int lo = 0, hi = size - 1, target = k - 1;
        while (lo < hi) {
            float pivot = median(a[lo], a[(lo + hi) >>> 1], a[hi]);
            // Three-way partition, descending: [lo, lt) > pivot, [lt, gt] == pivot, (gt, hi] < pivot.
            int lt = lo, i = lo, gt = hi;
            while (i <= gt) {
                float x = a[i];
                if (x > pivot) swap(a, lt++, i++);
                else if (x < pivot) swap(a, i, gt--);
                else i++;
            }
            if (target < lt) hi = lt - 1;
            else if (target > gt) lo = gt + 1;
            else return pivot;
        }
        return a[lo];
    }

    private static float median(float a, float b, float c) {
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }

    private static void swap(float[] a, int i, int j) {
        float t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    private SampledToken withLogprobs(float[] raw, int offset, int chosen, int topN) {
        float max = checkedMax(raw, offset);
        double logNormaliser = max + Math.log(sumExpBelow(raw, offset, max));
        float chosenLogprob = (float) (raw[offset + chosen] - logNormaliser);
        if (topN == 0) return new SampledToken(chosen, chosenLogprob, List.of());
        top.select(raw, offset, size, topN);
        List<SampledToken.TopLogprob> best = new ArrayList<>(top.count());
        for (int r = 0; r < top.count(); r++) {
            best.add(new SampledToken.TopLogprob(top.id(r), (float) (top.value(r) - logNormaliser)));
        }
        return new SampledToken(chosen, chosenLogprob, best);
    }

    /** Σ exp(row[i] - max): float exponentials, summed per block in float lanes, blocks in double. */
    private double sumExpBelow(float[] row, int offset, float max) {
        FloatVector vMax = FloatVector.broadcast(F, max);
        double sum = 0;
        int i = 0;
        for (int bound = F.loopBound(size); i < bound; ) {
            FloatVector blockSum = FloatVector.zero(F);
            for (int end = Math.min(bound, i + SUM_BLOCK * F.length()); i < end; i += F.length()) {
                blockSum = blockSum.add(FloatVector.fromArray(F, row, offset + i).sub(vMax).lanewise(VectorOperators.EXP));
            }
            sum += blockSum.reduceLanes(VectorOperators.ADD);
        }
        for (; i < size; i++) sum += Math.exp(row[offset + i] - max);
        return sum;
    }
}
