package dev.pagoda.gui.throughput;

import dev.pagoda.engine.telemetry.StepStats;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Hands every engine step to the GUI without touching the FX thread: the engine thread offers each
 * {@link StepStats} to a bounded queue and the frame timer drains it once per frame. A frame pulls
 * the latest {@code EngineState} only, which would miss the many steps a fast engine runs between
 * frames; the chart needs them all. When the GUI stalls, the newest steps are dropped rather than
 * slowing the engine.
 */
public final class StepRecorder implements Consumer<StepStats> {

    /** A step and when it was recorded ({@link System#nanoTime()} scale). */
    public record Recorded(StepStats step, long atNanos) {}

    private final ArrayBlockingQueue<Recorded> queue;
    private final LongSupplier clock;

    public StepRecorder(int capacity, LongSupplier clock) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.clock = clock;
    }

    /** On the engine thread: must return at once and never throw. */
    @Override
    public void accept(StepStats step) {
        queue.offer(new Recorded(step, clock.getAsLong()));
    }

    /** Moves everything recorded so far into {@code into}, oldest first. */
    public void drainTo(List<Recorded> into) {
        queue.drainTo(into);
    }
}
