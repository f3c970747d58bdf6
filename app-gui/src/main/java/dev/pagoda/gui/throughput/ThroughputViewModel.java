package dev.pagoda.gui.throughput;

import dev.pagoda.engine.telemetry.StepStats;
import dev.pagoda.gui.throughput.StepRecorder.Recorded;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The batch tab's model, plain Java: the last {@code windowSteps} steps (prefill and decode tokens
 * each, for the stacked chart), the queue counts after the latest step, and tokens per second over
 * the last {@code rateWindowNanos} of wall time.
 */
public final class ThroughputViewModel {

    /** One bar of the chart. */
    public record Bar(long stepIndex, int prefillTokens, int decodeTokens) {}

    private final int windowSteps;
    private final long rateWindowNanos;
    private final ArrayDeque<Bar> bars = new ArrayDeque<>();
    private final ArrayDeque<Recorded> recent = new ArrayDeque<>(); // steps inside the rate window
    private StepStats latest;

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
        }
        int before = recent.size();
        while (!recent.isEmpty() && recent.peekFirst().atNanos() <= nowNanos - rateWindowNanos) recent.removeFirst();
        return !steps.isEmpty() || recent.size() != before;
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
