package dev.pagoda.engine.request;

import dev.pagoda.engine.api.TokenLogprobs;
import dev.pagoda.engine.sample.SamplingParams;
import dev.pagoda.engine.sched.PromptLogprobs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One sequence inside the engine: its prompt, what it generated so far and how much of that the
 * KV cache already holds. Mutable and owned by the engine thread; nothing else may touch it.
 *
 * <p>The scheduler sees only two numbers: {@link #numTokens()} (prompt + output) and
 * {@link #numComputedTokens()} (tokens whose K/V sit in the cache or are written by a scheduled step). Each step the computed count
 * catches up with the token count; a decode step is simply "1 token behind". Preemption by
 * recompute resets the computed count to 0 and keeps the outputs, which are then recomputed as if
 * they were prompt, so the request resumes exactly where it was.
 *
 * <p>Parallel sampling (n > 1): the submitted request is sample 0 and the parent of n-1 children
 * made by {@link #forkChildren()} once the prompt (all but its last token) is in the cache; every
 * sample then computes the last prompt token itself so each has its own row to sample from.
 */
public final class Request implements TokenHistory {

    private final SequenceId id;
    private final int[] promptTokenIds;
    private final SamplingParams samplingParams;
    private final int[] eosTokenIds;
    private final long arrivalTimeNanos;
    private final int priority;

    private int[] outputTokenIds = new int[16];
    private int numOutputTokens;
    private final List<TokenLogprobs> outputLogprobs = new ArrayList<>();
    private final TokenLogprobs[] promptLogprobs; // (numPromptTokens) by position, [0] always null; null when not asked
    private int numComputedTokens;
    private int numPendingSamples; // tokens sampled by a step in flight, not yet known here
    private int numCachedTokens = -1;
    private RequestStatus status = RequestStatus.WAITING;
    private Integer stopTokenId;
    private String error;
    private int pendingForks;
    private final List<Request> children = new ArrayList<>();

    /**
     * @param id               unique among live requests
     * @param promptTokenIds   at least one token
     * @param samplingParams   how to sample and when to stop
     * @param eosTokenIds      the model's end-of-sequence ids (several for Llama 3 instruct models)
     * @param arrivalTimeNanos a monotonic clock reading; orders FCFS and ties of equal priority
     * @param priority         lower runs first under the PRIORITY policy (vLLM's convention)
     */
    public Request(String id, int[] promptTokenIds, SamplingParams samplingParams, int[] eosTokenIds,
                   long arrivalTimeNanos, int priority) {
        this(sequenceIdOf(id), promptTokenIds, samplingParams, eosTokenIds, arrivalTimeNanos, priority);
        if (samplingParams.n() < 1) {
            throw new IllegalArgumentException("request " + id + ": n must be >= 1, got " + samplingParams.n());
        }
        this.pendingForks = samplingParams.n() - 1;
    }

    private static SequenceId sequenceIdOf(String id) {
        if (id == null || id.isBlank()) throw new IllegalArgumentException("request id must not be blank");
        return SequenceId.of(id);
    }

    private Request(SequenceId id, int[] promptTokenIds, SamplingParams samplingParams, int[] eosTokenIds,
                    long arrivalTimeNanos, int priority) {
        Objects.requireNonNull(promptTokenIds, () -> "request " + id + ": promptTokenIds is null");
        Objects.requireNonNull(samplingParams, () -> "request " + id + ": samplingParams is null");
        Objects.requireNonNull(eosTokenIds, () -> "request " + id + ": eosTokenIds is null");
        if (promptTokenIds.length == 0) {
            throw new IllegalArgumentException("request " + id + ": the prompt has no tokens");
        }
        Integer maxTokens = samplingParams.maxTokens();
        if (maxTokens != null && maxTokens < 1) {
            throw new IllegalArgumentException("request " + id + ": max_tokens must be >= 1, got " + maxTokens);
        }
        this.id = id;
        this.promptTokenIds = promptTokenIds.clone();
        this.samplingParams = samplingParams;
        this.eosTokenIds = eosTokenIds.clone();
        this.arrivalTimeNanos = arrivalTimeNanos;
        this.priority = priority;
        this.promptLogprobs = samplingParams.promptLogprobs() == null ? null : new TokenLogprobs[promptTokenIds.length];
    }

    /**
     * Makes the n-1 sibling samples of a parent whose prompt is computed up to its last token.
     * They share this request's prompt, arrival and priority, start with the same computed count,
     * and get the same request id with sample indices 1..n-1. Block tables are shared by the KV
     * cache manager, not here.
     */
    public List<Request> forkChildren() {
        if (pendingForks == 0) throw new IllegalStateException("request " + id + " has no children to fork");
        if (numOutputTokens != 0) throw new IllegalStateException("request " + id + " forks after sampling");
        List<Request> made = new ArrayList<>(pendingForks);
        for (int i = 1; i <= pendingForks; i++) {
            Request child = new Request(id.sample(i), promptTokenIds, samplingParams, eosTokenIds,
                    arrivalTimeNanos, priority);
            child.numComputedTokens = numComputedTokens;
            child.numCachedTokens = numCachedTokens;
            child.status = status;
            made.add(child);
        }
        children.addAll(made);
        pendingForks = 0;
        return made;
    }

    public SequenceId id() { return id; }

    /** The id the client submitted: the parent's id for every sample of an n > 1 request. */
    public String groupId() { return id.requestId(); }

    public int sampleIndex() { return id.sampleIndex(); }

    public SamplingParams samplingParams() { return samplingParams; }

    public long arrivalTimeNanos() { return arrivalTimeNanos; }

    public int priority() { return priority; }

    @Override
    public int numPromptTokens() { return promptTokenIds.length; }

    public int numOutputTokens() { return numOutputTokens; }

    /** Prompt plus output tokens: everything whose K/V must eventually be in the cache. */
    @Override
    public int numTokens() { return promptTokenIds.length + numOutputTokens; }

    /** Token at position {@code i} of prompt followed by output. */
    @Override
    public int tokenAt(int i) {
        if (i < 0 || i >= numTokens()) {
            throw new IndexOutOfBoundsException("request " + id + ": position " + i + " of " + numTokens());
        }
        return i < promptTokenIds.length ? promptTokenIds[i] : outputTokenIds[i - promptTokenIds.length];
    }

    /**
     * Tokens at positions {@code [from, to)} of prompt followed by output, as a fresh array; a
     * position whose token a step in flight is still sampling reads {@link #PENDING_TOKEN}.
     */
    public int[] tokenIds(int from, int to) {
        if (from < 0 || to > numScheduledTokens() || from > to) {
            throw new IndexOutOfBoundsException("request " + id + ": range [" + from + ", " + to + ") of " + numScheduledTokens());
        }
        int[] out = new int[to - from];
        for (int i = from; i < to; i++) out[i - from] = i < numTokens() ? tokenAt(i) : PENDING_TOKEN;
        return out;
    }

    /**
     * The id a scheduled step carries where the token is not known yet: the previous step, still
     * on the device, samples it, and the device feeds it forward (asynchronous scheduling).
     */
    public static final int PENDING_TOKEN = -1;

    /**
     * Known tokens plus the ones steps in flight are sampling: what the scheduler can already
     * plan positions, slots and blocks for.
     */
    public int numScheduledTokens() { return numTokens() + numPendingSamples; }

    /** Tokens a step in flight samples for this request and {@link #resolvePendingSample} has not yet received. */
    public int numPendingSamples() { return numPendingSamples; }

    /** A step that samples this request was scheduled. */
    public void addPendingSample() { numPendingSamples++; }

    /** The token of the oldest step in flight arrived (appended, or lost with a failed step). */
    public void resolvePendingSample() {
        if (numPendingSamples == 0) throw new IllegalStateException("request " + id + " has no sample in flight");
        numPendingSamples--;
    }

    public int[] promptTokenIds() { return promptTokenIds.clone(); }

    public int[] outputTokenIds() { return Arrays.copyOf(outputTokenIds, numOutputTokens); }

    public int numComputedTokens() { return numComputedTokens; }

    /** Computed tokens whose ids are known: a step in flight may be computing one still pending. */
    public int numComputedKnownTokens() { return Math.min(numComputedTokens, numTokens()); }

    public void setNumComputedTokens(int n) {
        if (n < 0 || n > numScheduledTokens()) {
            throw new IllegalArgumentException("request " + id + ": computed tokens " + n + " outside [0, " + numScheduledTokens() + "]");
        }
        numComputedTokens = n;
    }

    /** Prompt tokens served from the prefix cache at first admission; 0 before it. */
    public int numCachedTokens() { return Math.max(numCachedTokens, 0); }

    /** Recorded once: a preempted request re-hitting its own blocks is not a client-visible cache hit. */
    public void recordCachedTokensOnce(int n) {
        if (numCachedTokens < 0) numCachedTokens = n;
    }

    public RequestStatus status() { return status; }

    public void setStatus(RequestStatus status) { this.status = Objects.requireNonNull(status); }

    public boolean isFinished() { return status.isFinished(); }

    /** Children still to be forked; the request holds a scheduler seat for each of them. */
    public int pendingForks() { return pendingForks; }

    public List<Request> children() { return List.copyOf(children); }

    public boolean isEos(int token) {
        for (int e : eosTokenIds) if (e == token) return true;
        return false;
    }

    public void appendOutput(int tokenId, TokenLogprobs logprobs) {
        if (numOutputTokens == outputTokenIds.length) {
            outputTokenIds = Arrays.copyOf(outputTokenIds, outputTokenIds.length * 2);
        }
        outputTokenIds[numOutputTokens++] = tokenId;
        if (logprobs != null) outputLogprobs.add(logprobs);
    }

    public List<TokenLogprobs> logprobsFrom(int outputIndex) {
        return outputIndex >= outputLogprobs.size() ? List.of()
                : List.copyOf(outputLogprobs.subList(outputIndex, outputLogprobs.size()));
    }

    /** Keeps what a step scored; a recompute after preemption scores the same positions to the same values. */
    public void recordPromptLogprobs(PromptLogprobs scored) {
        if (promptLogprobs == null) throw new IllegalStateException("request " + id + " did not ask for prompt logprobs");
        List<TokenLogprobs> lps = scored.logprobs();
        for (int i = 0; i < lps.size(); i++) promptLogprobs[scored.firstPosition() + i] = lps.get(i);
    }

    /**
     * The logprob of every prompt token after the first (positions 1 .. numPromptTokens-1), once all
     * are scored; empty when none were asked for or some are missing.
     */
    public List<TokenLogprobs> promptLogprobs() {
        if (promptLogprobs == null) return List.of();
        List<TokenLogprobs> out = new ArrayList<>(promptLogprobs.length - 1);
        for (int i = 1; i < promptLogprobs.length; i++) {
            if (promptLogprobs[i] == null) return List.of();
            out.add(promptLogprobs[i]);
        }
        return out;
    }

    /** The request asked for prompt logprobs and has not been given them: every prompt position must be computed. */
    public boolean needsPromptLogprobs() {
        return promptLogprobs != null && numOutputTokens == 0;
    }

    /** The stop token id that ended the request (vLLM's stop_reason), or null. */
    public Integer stopTokenId() { return stopTokenId; }

    public void setStopTokenId(Integer tokenId) { this.stopTokenId = tokenId; }

    public String error() { return error; }

    public void setError(String error) { this.error = error; }

    @Override
    public String toString() {
        return "Request[" + id + ", " + status + ", tokens=" + numTokens() + ", computed=" + numComputedTokens + "]";
    }
}
