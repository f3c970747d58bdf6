package dev.pagoda.engine.runner;

import dev.pagoda.engine.request.Request;
import dev.pagoda.engine.request.TokenHistory;
import dev.pagoda.engine.sample.SamplerVocab;
import dev.pagoda.engine.sample.SamplingState;
import dev.pagoda.engine.sched.SamplingContext;
import dev.pagoda.engine.sched.ScheduledSequence;
import dev.pagoda.engine.sched.SchedulerOutput;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-request sampling state (seeded generator, penalty counts) for a runner, created the first
 * time a sequence samples — a child of an n > 1 request gets {@code createChild} with its sample
 * index, so equal seeds still give n different samples — and dropped when the scheduler reports
 * the sequence finished. Preemption keeps it: the recomputed tokens are not sampled again.
 */
final class RequestSamplingStates {

    private final SamplerVocab vocab;
    private final Map<String, SamplingState> states = new HashMap<>();

    RequestSamplingStates(SamplerVocab vocab) {
        this.vocab = vocab;
    }

    /**
     * Forgets finished requests, then splits the step's sequences into those that can run and
     * those that fail alone (a token id outside the vocabulary would read past the embedding
     * table; bad sampling parameters).
     */
    List<ScheduledSequence> admit(SchedulerOutput step, Map<String, String> failed, boolean pendingTokensFed) {
        for (String id : step.finishedRequestIds()) states.remove(id);
        List<ScheduledSequence> batch = new ArrayList<>(step.sequences().size());
        for (ScheduledSequence s : step.sequences()) {
            String problem = checkTokens(s, pendingTokensFed);
            if (problem == null && s.sample()) problem = ensure(s);
            if (problem != null) {
                failed.put(s.requestId(), problem);
            } else {
                batch.add(s);
            }
        }
        return batch;
    }

    SamplingState get(String requestId) {
        return states.get(requestId);
    }

    void remove(String requestId) {
        states.remove(requestId);
    }

    int size() {
        return states.size();
    }

    void clear() {
        states.clear();
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

    private String ensure(ScheduledSequence s) {
        if (states.containsKey(s.requestId())) return null;
        SamplingContext ctx = s.sampling();
        try {
            states.put(s.requestId(), SamplingState.createChild(ctx.params(), promptOf(ctx.history()), vocab, ctx.sampleIndex()));
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static int[] promptOf(TokenHistory history) {
        int[] prompt = new int[history.numPromptTokens()];
        for (int i = 0; i < prompt.length; i++) prompt[i] = history.tokenAt(i);
        return prompt;
    }
}
