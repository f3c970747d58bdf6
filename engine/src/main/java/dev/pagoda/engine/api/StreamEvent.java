package dev.pagoda.engine.api;

import java.util.List;

/**
 * What one engine step produced for one request: a delta per sample that advanced, and on the
 * last event the usage, the timings and (if it failed) the error.
 *
 * @param requestId the submitted id
 * @param deltas    one per sample that produced tokens or finished in this step, by sample index
 * @param finished  every sample of the request has finished; this is the stream's last event
 * @param usage     non-null on the last event
 * @param timings   non-null on the last event
 * @param error     non-null when the request failed (the engine goes on serving the others)
 * @param promptLogprobs when the request asked for prompt logprobs, on the event bringing its first
 *                  tokens: the logprob of every prompt token after the first (the first has none); else empty
 */
public record StreamEvent(
        String requestId, List<SampleDelta> deltas, boolean finished, Usage usage, RequestTimings timings, String error,
        List<TokenLogprobs> promptLogprobs) {

    public StreamEvent {
        deltas = List.copyOf(deltas);
        promptLogprobs = List.copyOf(promptLogprobs);
    }

    /** An event without prompt logprobs. */
    public StreamEvent(String requestId, List<SampleDelta> deltas, boolean finished, Usage usage, RequestTimings timings,
            String error) {
        this(requestId, deltas, finished, usage, timings, error, List.of());
    }
}
