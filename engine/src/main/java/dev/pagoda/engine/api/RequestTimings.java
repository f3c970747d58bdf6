package dev.pagoda.engine.api;

/**
 * When a request passed each point, in {@link System#nanoTime()} units, for the latency metrics
 * (queue time, time to first token, end-to-end). A point not reached is -1.
 */
public record RequestTimings(long arrivedNanos, long firstScheduledNanos, long firstTokenNanos, long finishedNanos) {

    public double queueSeconds() {
        return seconds(arrivedNanos, firstScheduledNanos);
    }

    public double timeToFirstTokenSeconds() {
        return seconds(arrivedNanos, firstTokenNanos);
    }

    public double endToEndSeconds() {
        return seconds(arrivedNanos, finishedNanos);
    }

    private static double seconds(long from, long to) {
        return from < 0 || to < 0 ? Double.NaN : (to - from) / 1e9;
    }
}
