package dev.pagoda.gui.requests;

import dev.pagoda.engine.api.SampleDelta;
import dev.pagoda.engine.api.StreamEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The requests the engine served lately, as their streams report them. Written by whichever thread
 * consumes a stream (HTTP handlers on virtual threads, the playground) and read once per frame by
 * the GUI; thread-safe. Keeps the newest {@code capacity} requests.
 *
 * <p>Why streams and not StepStats: a step lists the tokens it scheduled, but only a request's
 * stream carries its final usage, finish reason and timings, and the stream is what the client saw.
 */
public final class RequestLog {

    private final int capacity;
    private final LongSupplier clock;
    private final Map<String, Row> rows = new LinkedHashMap<>();
    private long version;

    /** Mutable counterpart of a {@link RequestLogEntry}, guarded by the log's lock. */
    private static final class Row {
        final String id;
        final int promptTokens;
        final long submittedNanos;
        int outputTokens;
        double ttftSeconds = Double.NaN;
        String status = "running";
        boolean finished;

        Row(String id, int promptTokens, long submittedNanos) {
            this.id = id;
            this.promptTokens = promptTokens;
            this.submittedNanos = submittedNanos;
        }

        RequestLogEntry entry() {
            return new RequestLogEntry(id, promptTokens, outputTokens, ttftSeconds, status, finished);
        }
    }

    /**
     * @param capacity rows kept; the oldest go first
     * @param clock    {@link System#nanoTime()} or a test clock: times the first token of a running request
     */
    public RequestLog(int capacity, LongSupplier clock) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        this.capacity = capacity;
        this.clock = clock;
    }

    /** A request was accepted by the engine. */
    public synchronized void submitted(String requestId, int promptTokens) {
        rows.remove(requestId);
        rows.put(requestId, new Row(requestId, promptTokens, clock.getAsLong()));
        while (rows.size() > capacity) rows.remove(rows.keySet().iterator().next());
        version++;
    }

    /** One event of a request's stream, as its consumer took it. */
    public synchronized void event(StreamEvent event) {
        Row row = rows.get(event.requestId());
        if (row == null) return; // evicted already
        for (SampleDelta d : event.deltas()) row.outputTokens += d.tokenIds().length;
        if (row.outputTokens > 0 && Double.isNaN(row.ttftSeconds)) {
            row.ttftSeconds = (clock.getAsLong() - row.submittedNanos) / 1e9;
        }
        if (event.finished()) {
            row.finished = true;
            // The engine's own figures replace what the consumer measured: they are what usage and /metrics report.
            if (event.usage() != null) row.outputTokens = event.usage().completionTokens();
            if (event.timings() != null && !Double.isNaN(event.timings().timeToFirstTokenSeconds())) {
                row.ttftSeconds = event.timings().timeToFirstTokenSeconds();
            }
            row.status = event.error() != null ? "error: " + event.error() : finishReason(event);
        }
        version++;
    }

    /**
     * The consumer closed the stream. Before its last event that means it gave up (a client that
     * went away): the engine aborts the request and nobody reads the abort event, so the row ends here.
     */
    public synchronized void closed(String requestId) {
        Row row = rows.get(requestId);
        if (row == null || row.finished) return;
        row.finished = true;
        row.status = "abort (stream closed by its reader)";
        version++;
    }

    private static String finishReason(StreamEvent event) {
        for (SampleDelta d : event.deltas()) if (d.finishReason() != null) return d.finishReason().apiName();
        return "finished";
    }

    /** Grows whenever a row changes: a reader skips the copy when it has not moved. */
    public synchronized long version() {
        return version;
    }

    /** The rows, oldest first. */
    public synchronized List<RequestLogEntry> entries() {
        List<RequestLogEntry> out = new ArrayList<>(rows.size());
        for (Row r : rows.values()) out.add(r.entry());
        return out;
    }
}
