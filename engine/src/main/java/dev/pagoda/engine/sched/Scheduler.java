package dev.pagoda.engine.sched;

import dev.pagoda.engine.api.QueueFullException;
import dev.pagoda.engine.kv.BlockCopy;
import dev.pagoda.engine.kv.CachedPrefix;
import dev.pagoda.engine.kv.KvCacheManager;
import dev.pagoda.engine.kv.SlotAllocation;
import dev.pagoda.engine.request.Request;
import dev.pagoda.engine.request.RequestOutput;
import dev.pagoda.engine.request.RequestStatus;
import dev.pagoda.engine.request.SequenceId;
import dev.pagoda.engine.api.TokenLogprobs;
import dev.pagoda.engine.sample.SampledToken;
import dev.pagoda.engine.sample.SamplingParams;
import dev.pagoda.engine.telemetry.KvSnapshot;
import dev.pagoda.engine.telemetry.StepStats;
import dev.pagoda.engine.telemetry.StepStats.PrefixCacheStats;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Continuous batching after vLLM V1: every step, running sequences first, then waiting ones, each
 * getting the tokens that bring its computed count closer to its token count, within a token
 * budget and a sequence limit. There are no prefill and decode phases: a new prompt is "far
 * behind", a decode is "one token behind", and both share one flattened batch.
 *
 * <p>When a running sequence cannot get blocks, the newest (FCFS) or lowest-priority (PRIORITY)
 * running sequence is preempted by recompute: its blocks are freed and it goes back to the front
 * of the waiting queue with zero computed tokens, its outputs kept; prefix caching usually gives
 * most of its blocks back on readmission. As in vLLM, no waiting request is admitted in a step that
 * preempted, since the memory was just shown to be short.
 *
 * <p>Parallel sampling: a request with n > 1 reserves n sequence seats when admitted, computes its
 * prompt up to the last token, then forks n-1 children that share its blocks; every sample then
 * computes the last prompt token itself (copy-on-write on the shared partial block) and samples
 * its own first token.
 *
 * <p>Asynchronous scheduling (vLLM V1's): a step may be scheduled while the previous one is still
 * running, before its sampled tokens are known. Computed counts advance when a step is
 * scheduled; a sequence that samples holds a pending sample until {@link #update} brings its
 * token, and the next step computes that position with {@link Request#PENDING_TOKEN}, which the
 * runner fills from the device's own sampled ids. A sequence whose pending token ends it by
 * length is not scheduled again; one that stops by EOS costs one discarded token.
 *
 * <p>Not thread-safe: owned by the engine thread, which calls {@link #schedule()}, runs the model,
 * then calls {@link #update} — or schedules once more before updating the older step.
 */
public final class Scheduler {

    private final SchedulerConfig config;
    private final KvCacheManager kv;
    private final RequestLimits limits;
    private final Map<SequenceId, Request> live = new LinkedHashMap<>();
    private final List<Request> running = new ArrayList<>();
    private final WaitingQueue waiting;
    private final List<SequenceId> finishedSinceLastStep = new ArrayList<>();
    private long nextStepIndex;
    /** Scheduled steps not yet updated, oldest first; at most {@link #MAX_IN_FLIGHT}. */
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    /** Live sequences the runner has been sent ({@link NewSequence}); it holds their state until they finish. */
    private final java.util.Set<SequenceId> knownToRunner = new java.util.HashSet<>();

    /** A step handed out and the requests it scheduled, one per sequence (the output itself carries none). */
    private record InFlight(SchedulerOutput step, List<Request> requests) {}
    private static final int MAX_IN_FLIGHT = 2;

    /** A sequence picked for this step: how many tokens, and the copies its blocks need first. */
    private record Pick(int numTokens, List<BlockCopy> copies) {}

    public Scheduler(SchedulerConfig config) {
        this.config = config;
        this.kv = new KvCacheManager(config.numBlocks(), config.blockSize(), config.enablePrefixCaching());
        this.limits = new RequestLimits(config);
        this.waiting = new WaitingQueue(config.policy());
    }

    public SchedulerConfig config() { return config; }

    /** The KV cache manager, for telemetry and tests; the scheduler is its only writer. */
    public KvCacheManager kvCacheManager() { return kv; }

    public int numRunning() { return running.size(); }

    public int numWaiting() { return waiting.size(); }

    public boolean hasUnfinishedRequests() { return !live.isEmpty(); }

    /** Current status of a live sequence, or empty once it has finished. */
    public Optional<RequestStatus> status(SequenceId sequence) {
        Request r = live.get(sequence);
        return r == null ? Optional.empty() : Optional.of(r.status());
    }

    /**
     * Queues a new request. Rejects, with a message naming the request and the limit, what could
     * never run (prompt too long, n above maxNumSeqs, more blocks than the pool has) and anything
     * beyond maxWaitingRequests ({@link QueueFullException}).
     */
    public void addRequest(Request request) {
        SequenceId id = request.id();
        if (live.containsKey(id)) throw new IllegalArgumentException("request " + id + " is already queued or running");
        if (id.requestId().contains("#")) {
            throw new IllegalArgumentException("request id " + id + " contains '#', which is reserved for the ids of n > 1 samples");
        }
        if (request.status() != RequestStatus.WAITING || request.numOutputTokens() > 0) {
            throw new IllegalArgumentException("request " + id + " was submitted before (status " + request.status() + ")");
        }
        limits.check(request.numPromptTokens(), request.samplingParams()).ifPresent(v -> {
            throw new IllegalArgumentException("request " + id + ": " + v.message());
        });
        if (waiting.size() >= config.maxWaitingRequests()) throw new QueueFullException(id.toString(), config.maxWaitingRequests());
        live.put(id, request);
        waiting.addNew(request);
    }

    /**
     * Decides this step's batch and advances the computed counts of what it schedules. At most
     * two steps may await {@link #update}: the one running and the one scheduled behind it.
     */
    public SchedulerOutput schedule() {
        if (inFlight.size() >= MAX_IN_FLIGHT) {
            throw new IllegalStateException("schedule() called with steps " + inFlight.getFirst().step().stepIndex() + " and "
                    + inFlight.getLast().step().stepIndex() + " not yet updated");
        }
        StepPlan plan = new StepPlan(config.maxNumBatchedTokens());
        scheduleRunning(plan);
        if (plan.preemptions == 0) admitWaiting(plan);

        List<ScheduledSequence> sequences = new ArrayList<>(plan.picks.size());
        List<NewSequence> fresh = new ArrayList<>();
        List<Request> scheduled = new ArrayList<>(plan.picks.size());
        List<BlockCopy> copies = new ArrayList<>();
        for (var e : plan.picks.entrySet()) {
            Request r = e.getKey();
            if (knownToRunner.add(r.id())) fresh.add(new NewSequence(r.id(), r.promptTokenIds(), r.samplingParams()));
            ScheduledSequence s = describe(r, e.getValue().numTokens());
            sequences.add(s);
            scheduled.add(r);
            copies.addAll(e.getValue().copies());
            r.setNumComputedTokens(s.sequenceLength());
            if (s.sample()) r.addPendingSample();
        }
        SchedulerOutput step = new SchedulerOutput(nextStepIndex++, fresh, sequences, copies, finishedSinceLastStep,
                config.blockSize(), plan.prefix, plan.preemptions);
        inFlight.addLast(new InFlight(step, scheduled));
        finishedSinceLastStep.clear();
        return step;
    }


    /** The step being planned: remaining token budget, who runs with how many tokens, what it cost. */
    private static final class StepPlan {
        int budget;
        final Map<Request, Pick> picks = new LinkedHashMap<>();
        int preemptions;
        PrefixCacheStats prefix = PrefixCacheStats.NONE;
        /** Logit rows beyond one per seat, taken by prompt-logprob chunks (each of their rows is a logit row). */
        int extraLogitRows;

        StepPlan(int budget) {
            this.budget = budget;
        }
    }

    /** Running sequences in order, preempting from the back (or lowest priority) when blocks run out. */
    private void scheduleRunning(StepPlan plan) {
        int i = 0;
        while (i < running.size() && plan.budget > 0) {
            Request r = running.get(i);
            int n = withinLogitRows(r, r.numComputedTokens(), tokensToCompute(r, r.numComputedTokens(), plan.budget), plan, 0);
            if (n == 0) {
                i++;
                continue;
            }
            SlotAllocation alloc;
            while ((alloc = kv.allocateSlots(r, n, CachedPrefix.NONE)) == null) {
                Request victim = pickVictim();
                Pick undone = plan.picks.remove(victim); // PRIORITY may pick one already scheduled this step
                if (undone != null) plan.budget += undone.numTokens();
                preempt(victim);
                plan.preemptions++;
                if (victim == r) break;
            }
            if (alloc == null) return; // r itself was preempted: memory is short for everyone after it too
            plan.picks.put(r, new Pick(n, alloc.copies()));
            plan.budget -= n;
            i = plan.preemptions == 0 ? i + 1 : running.indexOf(r) + 1;
        }
    }

    /** Waiting requests in queue order while seats, budget and blocks last; head-of-line blocking keeps the order fair. */
    private void admitWaiting(StepPlan plan) {
        while (plan.budget > 0 && !waiting.isEmpty()) {
            Request r = waiting.peek();
            // preempted while its last step is in flight: its token must arrive before it is recomputed
            if (r.numPendingSamples() > 0) return;
            if (seatsInUse() + plan.extraLogitRows + 1 + r.pendingForks() > config.maxNumSeqs()) return;
            // vLLM V1's rule: prompt logprobs need every prompt position computed, so no prefix-cache hit
            CachedPrefix cached = r.needsPromptLogprobs() ? CachedPrefix.NONE : kv.findCachedPrefix(r);
            int remaining = tokensToCompute(r, cached.numTokens(), Integer.MAX_VALUE);
            if (!config.enableChunkedPrefill() && remaining > plan.budget) return;
            int n = withinLogitRows(r, cached.numTokens(), Math.min(remaining, plan.budget), plan, 1 + r.pendingForks());
            SlotAllocation alloc = kv.allocateSlots(r, n, cached);
            if (alloc == null) return;
            waiting.poll();
            if (kv.prefixCaching()) plan.prefix = plan.prefix.plus(new PrefixCacheStats(r.numTokens(), cached.numTokens()));
            r.setNumComputedTokens(cached.numTokens());
            r.recordCachedTokensOnce(cached.numTokens());
            r.setStatus(RequestStatus.RUNNING);
            running.add(r);
            if (n > 0) {
                plan.picks.put(r, new Pick(n, alloc.copies()));
                plan.budget -= n;
            } else {
                forkChildren(r); // the cache held the prompt up to its last token; all samples run from the next step
            }
        }
    }

    /**
     * Applies the runner's result to the oldest step not yet updated: caches newly full blocks,
     * appends sampled tokens, checks stops, frees what finished. A sequence preempted after the
     * step was scheduled still receives its token (it was computed from the K/V the step read).
     * Returns one delta per sequence that sampled or ended this step.
     */
    public List<RequestOutput> update(SchedulerOutput step, ModelRunnerOutput result) {
        if (inFlight.isEmpty() || step != inFlight.peekFirst().step()) {
            throw new IllegalStateException("update() must receive the oldest step not yet updated");
        }
        List<Request> scheduled = inFlight.removeFirst().requests();
        List<RequestOutput> outputs = new ArrayList<>();
        for (int i = 0; i < scheduled.size(); i++) {
            ScheduledSequence s = step.sequences().get(i);
            Request r = scheduled.get(i);
            // ended (aborted, stopped, failed) after the step was scheduled; its id may already be a new request's
            if (live.get(r.id()) != r) continue;
            boolean running = r.status() == RequestStatus.RUNNING;
            if (!running && !s.sample()) continue; // preempted: its prefill chunk will be recomputed
            if (s.sample()) r.resolvePendingSample();
            String failure = result.failed().get(r.id());
            if (failure != null) {
                r.setError(failure);
                outputs.add(end(r, RequestStatus.FINISHED_ERROR, r.numOutputTokens()));
                continue;
            }
            if (running) kv.cacheComputedBlocks(r);
            PromptLogprobs scored = result.promptLogprobs().get(r.id());
            if (scored != null) r.recordPromptLogprobs(scored);
            if (!s.sample()) {
                if (r.pendingForks() > 0 && r.numComputedTokens() == r.numPromptTokens() - 1) forkChildren(r);
                continue;
            }
            SampledToken token = result.sampled().get(r.id());
            int before = r.numOutputTokens();
            if (token == null) {
                r.setError("the model runner returned no token for request " + r.id() + ", which had to be sampled at step " + step.stepIndex());
                outputs.add(end(r, RequestStatus.FINISHED_ERROR, before));
                continue;
            }
            r.appendOutput(token.tokenId(), TokenLogprobs.of(token));
            RequestStatus stop = stopStatus(r);
            outputs.add(stop != null ? end(r, stop, before) : delta(r, before, null));
        }
        return outputs;
    }

    /**
     * Aborts a request wherever it is (waiting, running, preempted), freeing its blocks. Given the
     * id a client submitted, it aborts every sample of an n > 1 request; given a sample's display
     * name ({@code "id#k"}), that sample only. Unknown or finished ids
     * are ignored (a client may disconnect after its request ended). Call it on the engine thread
     * between steps. A step in flight may still write the freed blocks; whoever gets them next
     * writes them in a later step, which a device runs after it (one stream, in order).
     */
    public List<RequestOutput> abort(String requestId) {
        List<Request> group = new ArrayList<>();
        for (Request r : live.values()) if (r.groupId().equals(requestId) || r.id().toString().equals(requestId)) group.add(r);
        List<RequestOutput> outputs = new ArrayList<>(group.size());
        for (Request r : group) outputs.add(end(r, RequestStatus.FINISHED_ABORTED, r.numOutputTokens()));
        return outputs;
    }

    /**
     * Ends one sequence with a final status decided outside the scheduler, e.g. FINISHED_STOPPED
     * when the detokenizer matched a stop string.
     */
    public Optional<RequestOutput> finishRequest(SequenceId sequence, RequestStatus status) {
        if (!status.isFinished()) throw new IllegalArgumentException("status " + status + " is not a final status");
        Request r = live.get(sequence);
        return r == null ? Optional.empty() : Optional.of(end(r, status, r.numOutputTokens()));
    }

    /** Telemetry for a step once it is updated; {@code wallTimeNanos} is what the engine loop measured. */
    public StepStats stepStats(SchedulerOutput step, long wallTimeNanos) {
        List<StepStats.ScheduledTokens> tokens = new ArrayList<>(step.sequences().size());
        for (ScheduledSequence s : step.sequences()) {
            tokens.add(new StepStats.ScheduledTokens(s.id().toString(), s.decode() ? 0 : s.numTokens(), s.decode() ? 1 : 0));
        }
        return new StepStats(step.stepIndex(), wallTimeNanos, tokens, queueCounts(),
                kv.usage(), step.prefixCache(), step.preemptions());
    }

    /** Requests running and waiting now (aborts between steps change these without a step). */
    public StepStats.QueueCounts queueCounts() {
        int preempted = 0;
        for (Request r : waiting) if (r.status() == RequestStatus.PREEMPTED) preempted++;
        return new StepStats.QueueCounts(running.size(), waiting.size(), preempted);
    }

    public KvSnapshot kvSnapshot() {
        return kv.snapshot();
    }

    /** Tokens the request computes this step if admitted with {@code computed} tokens already in the cache. */
    private int tokensToCompute(Request r, int computed, int budget) {
        if (r.numPendingSamples() > 0 && reachesLength(r, r.numPendingSamples())) return 0; // its last token is in flight
        // An unforked n > 1 parent stops one short of its prompt: each sample computes the last token itself.
        int target = r.pendingForks() > 0 ? r.numPromptTokens() - 1 : r.numScheduledTokens();
        int n = target - computed;
        if (config.longPrefillTokenThreshold() > 0) n = Math.min(n, config.longPrefillTokenThreshold());
        return Math.min(n, budget);
    }

    /**
     * Caps a prompt-logprobs chunk so the step's logit rows stay within maxNumSeqs, what the runners'
     * logits buffers hold: every seat has one row, and a chunk that scores prompt tokens (one row per
     * token) borrows the rows of seats nobody holds. Such a chunk always gets at least its own row.
     *
     * @param newSeats seats {@code r} takes when admitted (0 when it already runs)
     */
    private int withinLogitRows(Request r, int computed, int n, StepPlan plan, int newSeats) {
        if (n == 0 || ScheduledSequence.promptLogprobRows(r.samplingParams(), r.numPromptTokens(),
                r.numTokens() > r.numPromptTokens(), computed, n) == 0) {
            return n;
        }
        int spare = Math.max(0, config.maxNumSeqs() - seatsInUse() - newSeats - plan.extraLogitRows);
        int capped = Math.min(n, 1 + spare);
        plan.extraLogitRows += capped - 1;
        return capped;
    }

    /** Whether the request reaches maxModelLen or max_tokens once {@code moreTokens} more are appended. */
    private boolean reachesLength(Request r, int moreTokens) {
        Integer maxTokens = r.samplingParams().maxTokens();
        return r.numTokens() + moreTokens >= config.maxModelLen()
                || (maxTokens != null && r.numOutputTokens() + moreTokens >= maxTokens);
    }

    /** Running sequences plus the seats reserved for children not yet forked. */
    private int seatsInUse() {
        int seats = running.size();
        for (Request r : running) seats += r.pendingForks();
        return seats;
    }

    private Request pickVictim() {
        if (config.policy() == SchedulingPolicy.FCFS) return running.getLast();
        Request victim = running.getFirst();
        for (Request r : running) {
            boolean lower = r.priority() > victim.priority()
                    || (r.priority() == victim.priority() && r.arrivalTimeNanos() >= victim.arrivalTimeNanos());
            if (lower) victim = r;
        }
        return victim;
    }

    private void preempt(Request r) {
        running.remove(r);
        kv.free(r);
        r.setNumComputedTokens(0);
        r.setStatus(RequestStatus.PREEMPTED);
        waiting.addPreempted(r);
    }

    private void forkChildren(Request parent) {
        for (Request child : parent.forkChildren()) {
            kv.fork(parent, child);
            live.put(child.id(), child);
            running.add(child);
        }
    }

    private ScheduledSequence describe(Request r, int n) {
        int start = r.numComputedTokens();
        boolean sample = start + n == r.numScheduledTokens();
        boolean decode = n == 1 && sample && r.numOutputTokens() + r.numPendingSamples() > 0;
        KvCacheManager.TableChange blocks = kv.takeTableChange(r);
        return new ScheduledSequence(r.id(), r.tokenIds(start, start + n), start, blocks.from(), blocks.blocks(), sample, decode);
    }

    /** vLLM's check_stop order: length first, then (after min_tokens) EOS unless ignored, then stop token ids. */
    private RequestStatus stopStatus(Request r) {
        SamplingParams p = r.samplingParams();
        if (reachesLength(r, 0)) return RequestStatus.FINISHED_LENGTH;
        // The sampler masks EOS/stop ids while fewer than min_tokens were generated (vLLM's
        // MinTokensLogitsProcessor), so the earliest legitimate stop is output token min_tokens + 1.
        if (r.numOutputTokens() <= p.minTokens()) return null;
        int last = r.tokenAt(r.numTokens() - 1);
        if (!p.ignoreEos() && r.isEos(last)) return RequestStatus.FINISHED_STOPPED;
        if (p.stopTokenIds().contains(last)) {
            r.setStopTokenId(last);
            return RequestStatus.FINISHED_STOPPED;
        }
        return null;
    }

    private RequestOutput end(Request r, RequestStatus status, int outputsBefore) {
        if (r.status() == RequestStatus.RUNNING) running.remove(r); else waiting.remove(r);
        kv.free(r);
        r.setStatus(status);
        live.remove(r.id());
        knownToRunner.remove(r.id());
        finishedSinceLastStep.add(r.id());
        return delta(r, outputsBefore, new RequestOutput.Finish(status.finishReason(), r.stopTokenId(), r.error()));
    }

    private static RequestOutput delta(Request r, int outputsBefore, RequestOutput.Finish finish) {
        int[] all = r.outputTokenIds();
        int[] added = Arrays.copyOfRange(all, outputsBefore, all.length);
        List<TokenLogprobs> promptLogprobs = outputsBefore == 0 && all.length > 0 ? r.promptLogprobs() : List.of();
        return new RequestOutput(r.id(), added, r.logprobsFrom(outputsBefore), finish, r.numCachedTokens(), promptLogprobs);
    }
}
