package dev.pagoda.gui.throughput;

import dev.pagoda.engine.telemetry.StepStats;
import dev.pagoda.gui.requests.RequestLogEntry;
import dev.pagoda.gui.throughput.StepRecorder.Recorded;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The batch tab's model, plain Java: the last {@code windowSteps} steps (prefill and decode tokens
 * each, for the stacked chart), the queue counts after the latest step, and tokens per second over
 * the last {@code rateWindowNanos} of wall time; and three sliding-window series for the line charts:
 * KV usage per step, inter-token latency per step and time to first token per finished request.
 *
 * <p>ITL comes from the steps alone: a request that decodes in a step got its previous token at the
 * end of the previous step that scheduled it (its prefill's last chunk or its previous decode), so
 * the gap between those two steps' end times is its inter-token latency. A step's point is the mean
 * over the requests that decoded in it. TTFT comes from the request log, which has each finished
 * request's engine timings.
 */
public final class ThroughputViewModel {

    /** One bar of the chart. */
    public record Bar(long stepIndex, int prefillTokens, int decodeTokens) {}

    private final int windowSteps;
    private final long rateWindowNanos;
    private final ArrayDeque<Bar> bars = new ArrayDeque<>();
    private final ArrayDeque<Recorded> recent = new ArrayDeque<>(); // steps inside the rate window
    private StepStats latest;

    /** A point of a line chart: x is a step index (KV, ITL) or the finished request's sequence number (TTFT). */
    public record Point(long x, double y) {}

    private final ArrayDeque<Point> kvUsage = new ArrayDeque<>();  // % of blocks held, per step
    private final ArrayDeque<Point> itl = new ArrayDeque<>();      // ms, per step with decodes
    private final ArrayDeque<Point> ttft = new ArrayDeque<>();     // ms, per finished request
    private final Map<String, Long> lastScheduledAt = new HashMap<>(); // request id -> end of its latest step
    private final Set<String> ttftSeen = new LinkedHashSet<>();
    private long finishedRequests;

    public ThroughputViewModel(int windowSteps, long rateWindowNanos) {
        if (windowSteps < 1) throw new IllegalArgumentException("windowSteps must be >= 1, got " + windowSteps);
        if (rateWindowNanos < 1) throw new IllegalArgumentException("rateWindowNanos must be >= 1, got " + rateWindowNanos);
        this.windowSteps = windowSteps;
        this.rateWindowNanos = rateWindowNanos;
    }

    /**
     * Adds newly recorded steps (oldest first) and forgets what left the windows.
     *
     * @param nowNanos the frame's time, on the recorder's clock
     * @return true when something changed
     */
    public boolean update(List<Recorded> steps, long nowNanos) {
        for (Recorded r : steps) {
            StepStats s = r.step();
            bars.addLast(new Bar(s.stepIndex(), s.prefillTokens(), s.decodeTokens()));
            if (bars.size() > windowSteps) bars.removeFirst();
            recent.addLast(r);
            latest = s;
            addLast(kvUsage, new Point(s.stepIndex(), s.kvUsage() * 100));
            addItl(r);
        }
        int before = recent.size();
        while (!recent.isEmpty() && recent.peekFirst().atNanos() <= nowNanos - rateWindowNanos) recent.removeFirst();
        return !steps.isEmpty() || recent.size() != before;
    }

    private void addItl(Recorded r) {
        // Ids of finished requests never come back; a request idle this long is long gone from the chart's window.
        if (lastScheduledAt.size() > 16_384) lastScheduledAt.clear();
        double sumMs = 0;
        int n = 0;
        for (StepStats.ScheduledTokens t : r.step().scheduled()) {
            Long previous = lastScheduledAt.put(t.requestId(), r.atNanos());
            if (t.decodeTokens() > 0 && previous != null) {
                sumMs += (r.atNanos() - previous) / 1e6;
                n++;
            }
        }
        if (n > 0) addLast(itl, new Point(r.step().stepIndex(), sumMs / n));
    }

    /**
     * Adds a TTFT point for each finished request not seen before (the log's rows, oldest first).
     *
     * @return true when a point was added
     */
    public boolean updateRequests(List<RequestLogEntry> entries) {
        boolean changed = false;
        for (RequestLogEntry e : entries) {
            if (!e.finished() || Double.isNaN(e.ttftSeconds()) || !ttftSeen.add(e.requestId())) continue;
            if (ttftSeen.size() > 4 * windowSteps + 1024) ttftSeen.remove(ttftSeen.iterator().next());
            addLast(ttft, new Point(finishedRequests++, e.ttftSeconds() * 1000));
            changed = true;
        }
        return changed;
    }

    private void addLast(ArrayDeque<Point> series, Point p) {
        series.addLast(p);
        if (series.size() > windowSteps) series.removeFirst();
    }

    /** KV usage in % after each step of the window, oldest first. */
    public List<Point> kvUsagePoints() {
        return List.copyOf(kvUsage);
    }

    /** Mean inter-token latency in ms of the requests that decoded in each step of the window. */
    public List<Point> itlPoints() {
        return List.copyOf(itl);
    }

    /** Time to first token in ms of the latest finished requests, oldest first. */
    public List<Point> ttftPoints() {
        return List.copyOf(ttft);
    }

    /** The chart's bars, oldest first. */
    public List<Bar> bars() {
        return new ArrayList<>(bars);
    }

    /** The latest step, or null before the first. */
    public StepStats latest() {
        return latest;
    }

    /** Prompt (prefill) tokens per second over the rate window. */
    public double prefillTokensPerSecond() {
        return recent.stream().mapToLong(r -> r.step().prefillTokens()).sum() * 1e9 / rateWindowNanos;
    }

    /** Generated (decode) tokens per second over the rate window. */
    public double decodeTokensPerSecond() {
        return recent.stream().mapToLong(r -> r.step().decodeTokens()).sum() * 1e9 / rateWindowNanos;
    }

    /** The tallest bar, for the chart's scale; at least 1. */
    public int maxTokensPerStep() {
        return Math.max(1, bars.stream().mapToInt(b -> b.prefillTokens() + b.decodeTokens()).max().orElse(1));
    }
}
