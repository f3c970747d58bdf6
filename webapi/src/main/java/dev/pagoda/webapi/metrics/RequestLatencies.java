package dev.pagoda.webapi.metrics;

import dev.pagoda.engine.api.RequestTimings;

/**
 * The latency record of one request. Inter-token latency is measured where tokens reach the client's
 * handler: the gap between two events that carry tokens, spread over the tokens of the later one
 * (a batch of k tokens after a gap g counts as k gaps of g/k, as vLLM's per-iteration accounting does).
 */
public final class RequestLatencies {

    private final VllmMetrics metrics;
    private long lastTokenNanos = -1;

    RequestLatencies(VllmMetrics metrics) {
        this.metrics = metrics;
    }

    public void tokens(int count, long nowNanos) {
        if (count <= 0) return;
        if (lastTokenNanos >= 0) {
            double gap = (nowNanos - lastTokenNanos) / 1e9 / count;
            for (int i = 0; i < count; i++) metrics.observeInterToken(gap);
        }
        lastTokenNanos = nowNanos;
    }

    public void finished(RequestTimings timings) {
        if (timings != null) metrics.observeFinished(timings);
    }
}
