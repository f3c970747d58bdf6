package dev.pagoda.engine.runner;

import dev.pagoda.engine.request.Request;
import dev.pagoda.engine.request.SequenceId;
import dev.pagoda.engine.sample.SamplerVocab;
import dev.pagoda.engine.sample.SamplingState;
import dev.pagoda.engine.sched.NewSequence;
import dev.pagoda.engine.sched.ScheduledSequence;
import dev.pagoda.engine.sched.SchedulerOutput;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a runner keeps per sequence between steps (vLLM V1's cached request state): what the
 * scheduler sent once ({@link NewSequence}: prompt, sampling parameters), the block table kept
 * current from each step's change, and the sampling state (seeded generator, penalty counts),
 * created the first time the sequence samples — a child of an n > 1 request gets
 * {@code createChild} with its sample index, so equal seeds still give n different samples. All
 * of it is dropped when the scheduler reports the sequence finished; preemption keeps it (the
 * recomputed tokens are not sampled again).
 */
final class RequestSamplingStates implements BatchLayout.HeldSequences {

    /** One sequence's state in the runner. */
    private static final class Held {
        final NewSequence sequence;
        final int[] prompt; // (prompt tokens) NewSequence hands out copies; prompt-logprob rows read it per token
        int[] blockTable = new int[0];
        SamplingState sampling; // null until the sequence first samples, or after a sampling failure

        Held(NewSequence sequence) {
            this.sequence = sequence;
            this.prompt = sequence.promptTokenIds();
        }
    }

    private final SamplerVocab vocab;
    private final Map<SequenceId, Held> held = new HashMap<>();

    RequestSamplingStates(SamplerVocab vocab) {
        this.vocab = vocab;
    }

    /**
     * Applies the step to the held state — forgets finished sequences, takes in new ones, brings
     * every scheduled sequence's block table up to date — then splits the step's sequences into
     * those that can run and those that fail alone (a token id outside the vocabulary would read
     * past the embedding table; bad sampling parameters; a sequence the runner was never sent).
     */
    List<ScheduledSequence> admit(SchedulerOutput step, Map<SequenceId, String> failed, boolean pendingTokensFed) {
        for (SequenceId id : step.finishedSequenceIds()) held.remove(id);
        for (NewSequence s : step.newSequences()) held.put(s.id(), new Held(s));
        List<ScheduledSequence> batch = new ArrayList<>(step.sequences().size());
        for (ScheduledSequence s : step.sequences()) {
            Held h = held.get(s.id());
            String problem;
            if (h == null) {
                problem = "the runner holds no state for sequence " + s.id() + " (it was never sent as new)";
            } else {
                h.blockTable = s.applyBlocks(h.blockTable);
                problem = checkTokens(s, pendingTokensFed);
                if (problem == null && s.sample()) problem = ensureSampling(h);
            }
            if (problem != null) {
                failed.put(s.id(), problem);
            } else {
                batch.add(s);
            }
        }
        return batch;
    }

    /** The sequence's sampling state, null when it has none (never sampled, failed, or finished). */
    SamplingState get(SequenceId sequence) {
        Held h = held.get(sequence);
        return h == null ? null : h.sampling;
    }

    /** The sequence's block table as of the latest admitted step. */
    @Override
    public int[] blockTable(SequenceId sequence) {
        return held.get(sequence).blockTable;
    }

    /** Rows that score prompt tokens: only before the sequence's first output (a recompute does not repeat them). */
    @Override
    public int promptLogprobRows(ScheduledSequence s) {
        Held h = held.get(s.id());
        boolean hasOutput = h.sampling != null && h.sampling.nextOutputIndex() > 0;
        return ScheduledSequence.promptLogprobRows(h.sequence.params(), h.prompt.length, hasOutput, s.startPosition(), s.numTokens());
    }

    @Override
    public int promptToken(SequenceId sequence, int position) {
        return held.get(sequence).prompt[position];
    }

    @Override
    public int promptLogprobs(SequenceId sequence) {
        return held.get(sequence).sequence.params().promptLogprobs();
    }

    /** Drops a sequence's sampling state after a failure; the next step that samples it starts a new one. */
    void remove(SequenceId sequence) {
        Held h = held.get(sequence);
        if (h != null) h.sampling = null;
    }

    /** Sequences held. */
    int size() {
        return held.size();
    }

    /** Sequences holding a sampling state (they sampled, and neither failed nor finished since). */
    int samplingStates() {
        int n = 0;
        for (Held h : held.values()) if (h.sampling != null) n++;
        return n;
    }

    void clear() {
        held.clear();
    }

    /**
     * A decode whose one token the previous step is still sampling ({@link Request#PENDING_TOKEN}):
     * the scheduler leaves a token pending only there, and a runner that feeds it from the device accepts it.
     */
    static boolean awaitsPendingToken(ScheduledSequence s) {
        return s.numTokens() == 1 && s.tokenIds()[0] == Request.PENDING_TOKEN;
    }

    private String checkTokens(ScheduledSequence s, boolean pendingTokensFed) {
        if (pendingTokensFed && awaitsPendingToken(s)) return null;
        for (int id : s.tokenIds()) {
            if (id < 0 || id >= vocab.size()) {
                return "token id " + id + " is outside the vocabulary (size " + vocab.size() + ")";
            }
        }
        return null;
    }

    private String ensureSampling(Held h) {
        if (h.sampling != null) return null;
        NewSequence s = h.sequence;
        try {
            h.sampling = SamplingState.createChild(s.params(), s.promptTokenIds(), vocab, s.id().sampleIndex());
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }
}
