package dev.pagoda.engine.core;

import dev.pagoda.engine.api.SampleDelta;
import dev.pagoda.engine.api.StreamEvent;
import dev.pagoda.engine.api.FinishReason;
import dev.pagoda.engine.request.RequestOutput;
import dev.pagoda.engine.request.RequestStatus;
import dev.pagoda.engine.request.SequenceId;
import dev.pagoda.engine.api.TokenLogprobs;
import dev.pagoda.engine.sample.StopStringMatcher;
import dev.pagoda.engine.sched.Scheduler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns the scheduler's per-sequence token deltas into per-request {@link StreamEvent}s on the
 * engine thread: detokenizes each sample incrementally, cuts stop strings (ending the sample in
 * the scheduler, which frees its blocks), and when every sample has ended sends the final event
 * with usage and timings. A sample that fails or is aborted ends its whole request: the other
 * samples are aborted too, so no request is left half alive.
 */
final class OutputProcessor {

    private final Scheduler scheduler;
    private final Map<String, RequestGroup> groups = new HashMap<>();
    private final Consumer<RequestGroup> onComplete;

    /** @param onComplete called once per request after its final event was sent */
    OutputProcessor(Scheduler scheduler, Consumer<RequestGroup> onComplete) {
        this.scheduler = scheduler;
        this.onComplete = onComplete;
    }

    void add(RequestGroup group) {
        groups.put(group.id, group);
    }

    RequestGroup group(String id) {
        return groups.get(id);
    }

    List<RequestGroup> groups() {
        return List.copyOf(groups.values());
    }

    /** Marks the groups of a step's sequences as scheduled (queue time ends there). */
    void scheduled(SequenceId sequence, long now) {
        RequestGroup g = groups.get(sequence.requestId());
        if (g != null && g.firstScheduledNanos < 0) g.firstScheduledNanos = now;
    }

    /** Processes a step's (or an abort's) outputs and sends one event per request that changed. */
    void process(List<RequestOutput> outputs, long now) {
        Map<RequestGroup, List<SampleDelta>> changed = new LinkedHashMap<>();
        for (RequestOutput out : outputs) {
            RequestGroup g = groups.get(out.groupId());
            if (g == null) continue;
            RequestGroup.Sample sample = g.samples[out.sampleIndex()];
            if (sample.finished()) continue;
            SampleDelta delta = apply(g, sample, out, now);
            if (!out.promptLogprobs().isEmpty() && !g.promptLogprobsSent) g.pendingPromptLogprobs = out.promptLogprobs();
            changed.computeIfAbsent(g, k -> new ArrayList<>()).add(delta);
            if (delta.finishReason() == FinishReason.ERROR || delta.finishReason() == FinishReason.ABORT) {
                scheduler.abort(g.id); // its siblings go too; unforked samples have nothing to free
                for (int i = 0; i < g.samples.length; i++) {
                    if (g.samples[i].finished()) continue;
                    g.samples[i].finish = delta.finishReason();
                    changed.get(g).add(new SampleDelta(i, new int[0], "", List.of(), delta.finishReason(), null));
                }
            }
        }
        for (var e : changed.entrySet()) send(e.getKey(), e.getValue(), now);
    }

    /** Ends a request that never reached the scheduler (rejected on the engine thread). */
    void fail(RequestGroup g, String message, long now) {
        g.error = message;
        List<SampleDelta> deltas = new ArrayList<>();
        for (int i = 0; i < g.samples.length; i++) {
            g.samples[i].finish = FinishReason.ERROR;
            deltas.add(new SampleDelta(i, new int[0], "", List.of(), FinishReason.ERROR, null));
        }
        groups.put(g.id, g);
        send(g, deltas, now);
    }

    private SampleDelta apply(RequestGroup g, RequestGroup.Sample sample, RequestOutput out, long now) {
        int[] tokens = out.newTokenIds();
        StringBuilder text = new StringBuilder();
        int kept = tokens.length;
        String stopString = null;
        RequestOutput.Finish finish = out.finish();
        // The scheduler stops a sample on EOS or a stop token id; as in vLLM that token stays in the ids but
        // is not text (with special tokens kept it would show as "</s>"), unless include_stop_str_in_output.
        boolean stopToken = finish != null && finish.reason() == FinishReason.STOP && !sample.stopTokenInText;
        int textTokens = stopToken ? Math.max(0, tokens.length - 1) : tokens.length;
        for (int i = 0; i < textTokens && stopString == null; i++) {
            StopStringMatcher.Emit emit = sample.stops.feed(sample.detokenizer == null ? "" : sample.detokenizer.push(tokens[i]));
            text.append(emit.text());
            if (emit.stopped()) {
                stopString = emit.matched();
                kept = i + 1; // the token that completed the stop string stays, as in vLLM
            }
        }
        if (stopString == null && finish != null && finish.reason() != FinishReason.ERROR) {
            // Text held back (an unfinished character or a possible stop-string start) is final now.
            StopStringMatcher.Emit rest = sample.stops.feed(sample.detokenizer == null ? "" : sample.detokenizer.flush());
            text.append(rest.text());
            if (rest.stopped()) stopString = rest.matched();
            else text.append(sample.stops.flush());
        }
        if (stopString != null) {
            if (finish == null) scheduler.finishRequest(out.sequence(), RequestStatus.FINISHED_STOPPED);
            sample.finish = FinishReason.STOP;
            sample.stopReason = stopString;
        } else if (finish != null) {
            sample.finish = finish.reason();
            sample.stopReason = finish.stopTokenId();
            if (finish.error() != null && g.error == null) g.error = finish.error();
        }
        g.cachedTokens = Math.max(g.cachedTokens, out.numCachedTokens());
        g.completionTokens += kept;
        if (kept > 0 && g.firstTokenNanos < 0) g.firstTokenNanos = now;
        List<TokenLogprobs> logprobs = out.newLogprobs();
        return new SampleDelta(out.sampleIndex(), Arrays.copyOf(tokens, kept), text.toString(),
                logprobs.subList(0, Math.min(kept, logprobs.size())), sample.finish, sample.stopReason);
    }

    private void send(RequestGroup g, List<SampleDelta> deltas, long now) {
        deltas.sort((a, b) -> Integer.compare(a.index(), b.index()));
        boolean done = g.allFinished();
        List<TokenLogprobs> promptLogprobs = g.pendingPromptLogprobs;
        g.pendingPromptLogprobs = List.of();
        if (!promptLogprobs.isEmpty()) g.promptLogprobsSent = true;
        g.stream.put(new StreamEvent(g.id, deltas, done, done ? g.usage() : null, done ? g.timings(now) : null,
                done ? g.error : null, promptLogprobs));
        if (done) {
            groups.remove(g.id);
            onComplete.accept(g);
        }
    }
}
