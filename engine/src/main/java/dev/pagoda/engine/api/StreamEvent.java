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
 */
public record StreamEvent(
        String requestId, List<SampleDelta> deltas, boolean finished, Usage usage, RequestTimings timings, String error) {

    public StreamEvent {
        deltas = List.copyOf(deltas);
    }
}
