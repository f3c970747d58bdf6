package dev.pagoda.engine.sample;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Picks the next token of one request from its logits row, in vLLM's order:
 * <ol>
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
 * <p>Cost per token: a handful of passes over the vocabulary (copy, max, exp, and for top-p a
 * histogram of the probability mass by distance from the max) — the full vocabulary is never
 * sorted: top-k finds its threshold by selection, and top-p sorts only the tokens in the
 * histogram buckets needed to reach p. All vocabulary-sized buffers are allocated once per
 * sampler, so a sampler serves one thread; give each sampling thread its own.
 */
public final class Sampler {

    /** Top-p histogram resolution: buckets per nat of distance below the max scaled logit. */
    private static final float BUCKETS_PER_NAT = 8f;
    /** Buckets cover 0..64 nats (e^-64 ≈ 1.6e-28, beyond float's relevance); the last takes the rest. */
    private static final int BUCKETS = 512;

    private final SamplerVocab vocab;
    private final int size;
    private final float[] rowCopy;     // (vocab) a MemorySegment row copied to the heap
    private final float[] logits;      // (vocab) working logits, processed in place
    private final float[] weights;     // (vocab) exp((logit - max) / temperature); 0 for filtered tokens
    private final float[] selection;   // (vocab) scratch for the top-k selection
    private final long[] sortKeys;     // (vocab) top-p candidates packed as (descending weight, id)
    private final int[] candidates;    // (vocab) ids still in the running, in sampling order
    private final double[] bucketMass = new double[BUCKETS];

    public Sampler(SamplerVocab vocab) {
        this.vocab = vocab;
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

    private void checkState(SamplingState state) {
        if (state.vocab().size() != size) {
            throw new IllegalArgumentException("request was set up for a vocabulary of " + state.vocab().size()
                    + " tokens, this sampler has " + size);
        }
    }

    private SampledToken sampleRow(float[] raw, int offset, SamplingState state) {
        SamplingParams params = state.params();
        System.arraycopy(raw, offset, logits, 0, size);
        applyLogitBias(state);
        if (state.outputCount() < params.minTokens()) {
            for (int id : state.minTokensMaskedIds()) logits[id] = Float.NEGATIVE_INFINITY;
        }
        applyRepetitionPenalty(state);
        applyFrequencyPresencePenalties(state);
        double u = state.nextUniform();
        int chosen = params.isGreedy() ? argmax(logits) : sampleRandom(params, u);
        SampledToken token = params.logprobs() == null
                ? new SampledToken(chosen, Float.NaN, List.of())
                : withLogprobs(raw, offset, chosen, params.logprobs());
        state.append(chosen);
        return token;
    }

    private void applyLogitBias(SamplingState state) {
        int[] ids = state.biasIds();
        float[] values = state.biasValues();
        for (int i = 0; i < ids.length; i++) logits[ids[i]] += values[i];
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

    /** Index of the largest logit; the first (lowest id) among equals. */
    private int argmax(float[] values) {
        int best = -1;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) {
            if (values[i] > bestValue) {
                bestValue = values[i];
                best = i;
            }
        }
        if (best < 0) throw noCandidates();
        return best;
    }

    private int sampleRandom(SamplingParams params, double u) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) {
            float l = logits[i];
            if (l > max) max = l;
            else if (l != l) throw new IllegalStateException("logits row contains NaN at token " + i);
        }
        if (!(max > Float.NEGATIVE_INFINITY) || max == Float.POSITIVE_INFINITY) throw noCandidates();

        int k = params.topK();
        float threshold = (k > 0 && k < size) ? kthLargest(k) : Float.NEGATIVE_INFINITY;
        float invTemperature = (float) (1.0 / params.temperature());
        boolean topP = params.topP() < 1.0;
        if (topP) Arrays.fill(bucketMass, 0.0);
        double total = 0;
        for (int i = 0; i < size; i++) {
            float l = logits[i];
            float w = l >= threshold ? (float) Math.exp((l - max) * invTemperature) : 0f;
            weights[i] = w;
            total += w;
            if (topP) bucketMass[bucket(l, max, invTemperature)] += w;
        }

        int count;
        if (topP) {
            count = topPCandidates(params.topP() * total, max, invTemperature);
        } else if (params.minP() > 0 || threshold > Float.NEGATIVE_INFINITY) {
            count = 0;
            for (int i = 0; i < size; i++) if (weights[i] > 0f) candidates[count++] = i;
        } else {
            return drawFromAll(u, total);
        }
        if (params.minP() > 0) count = applyMinP(count, (float) params.minP());
        return drawFromCandidates(u, count);
    }

    /**
     * Keeps, most likely first, the tokens whose preceding mass is below {@code target} (so the
     * kept mass just reaches top_p). Only the histogram buckets needed to reach the target are
     * collected and sorted.
     */
    private int topPCandidates(double target, float max, float invTemperature) {
        int lastBucket = BUCKETS - 1;
        double cumulative = 0;
        for (int b = 0; b < BUCKETS; b++) {
            cumulative += bucketMass[b];
            if (cumulative >= target) {
                lastBucket = b;
                break;
            }
        }
        int collected = 0;
        for (int i = 0; i < size; i++) {
            float w = weights[i];
            if (w > 0f && bucket(logits[i], max, invTemperature) <= lastBucket) {
                // Non-negative floats order like their bits; invert for descending, id breaks ties.
                long descendingWeight = Integer.MAX_VALUE - Float.floatToRawIntBits(w);
                sortKeys[collected++] = (descendingWeight << 32) | i;
            }
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

    private static int bucket(float logit, float max, float invTemperature) {
        float distance = (max - logit) * invTemperature * BUCKETS_PER_NAT;
        return distance < BUCKETS - 1 ? (int) distance : BUCKETS - 1;
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

    private int drawFromAll(double u, double total) {
        double target = u * total;
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < size; i++) {
            float w = weights[i];
            if (w == 0f) continue;
            cumulative += w;
            if (cumulative > target) return i;
            last = i;
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

    /** The k-th largest working logit, by selection (expected linear time) on a scratch copy. */
    private float kthLargest(int k) {
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
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) max = Math.max(max, raw[offset + i]);
        double sum = 0;
        for (int i = 0; i < size; i++) sum += Math.exp(raw[offset + i] - max);
        double logNormaliser = max + Math.log(sum);
        float chosenLogprob = (float) (raw[offset + chosen] - logNormaliser);
        if (topN == 0) return new SampledToken(chosen, chosenLogprob, List.of());

        int[] topIds = new int[topN];       // (topN) best first
        float[] topValues = new float[topN];
        Arrays.fill(topValues, Float.NEGATIVE_INFINITY);
        Arrays.fill(topIds, -1);
        for (int i = 0; i < size; i++) {
            float v = raw[offset + i];
            if (v <= topValues[topN - 1] && topIds[topN - 1] >= 0) continue; // ties keep the lower id
            int pos = topN - 1;
            while (pos > 0 && (v > topValues[pos - 1] || topIds[pos - 1] < 0)) {
                topValues[pos] = topValues[pos - 1];
                topIds[pos] = topIds[pos - 1];
                pos--;
            }
            topValues[pos] = v;
            topIds[pos] = i;
        }
        List<SampledToken.TopLogprob> top = new ArrayList<>(topN);
        for (int j = 0; j < topN && j < size; j++) {
            top.add(new SampledToken.TopLogprob(topIds[j], (float) (topValues[j] - logNormaliser)));
        }
        return new SampledToken(chosen, chosenLogprob, top);
    }

    private IllegalStateException noCandidates() {
        return new IllegalStateException("no token can be sampled: every logit is -inf or NaN after "
                + "logit_bias, min_tokens masking and penalties");
    }
}
