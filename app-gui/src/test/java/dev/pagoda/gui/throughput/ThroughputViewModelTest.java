package dev.pagoda.gui.throughput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.engine.telemetry.StepStats;
import dev.pagoda.engine.telemetry.StepStats.PrefixCacheStats;
import dev.pagoda.engine.telemetry.StepStats.QueueCounts;
import dev.pagoda.engine.telemetry.StepStats.ScheduledTokens;
import dev.pagoda.gui.requests.RequestLogEntry;
import dev.pagoda.gui.throughput.StepRecorder.Recorded;
import dev.pagoda.gui.throughput.ThroughputViewModel.Point;
import dev.pagoda.gui.throughput.ThroughputViewModel.Bar;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ThroughputViewModelTest {

    private static final long SECOND = 1_000_000_000L;

    private static StepStats step(long index, int prefill, int decode) {
        return new StepStats(index, 1000, List.of(new ScheduledTokens("a", prefill, 0), new ScheduledTokens("b", 0, decode)),
                new QueueCounts(2, 1, 0), 0.5, PrefixCacheStats.NONE, 0);
    }

    @Test
    void barsKeepTheLastStepsAndRatesCountTheLastSeconds() {
        ThroughputViewModel vm = new ThroughputViewModel(3, 2 * SECOND);
        assertNull(vm.latest());
        // Steps at t = 0 s, 1 s, 2 s, 3 s with (prefill, decode) = (100, 1), (0, 2), (50, 2), (0, 4).
        List<Recorded> steps = List.of(
                new Recorded(step(0, 100, 1), 0), new Recorded(step(1, 0, 2), SECOND),
                new Recorded(step(2, 50, 2), 2 * SECOND), new Recorded(step(3, 0, 4), 3 * SECOND));
        assertTrue(vm.update(steps, 3 * SECOND));
        assertEquals(List.of(new Bar(1, 0, 2), new Bar(2, 50, 2), new Bar(3, 0, 4)), vm.bars());
        // The 2 s window at t = 3 s holds the steps after t = 1 s: (50, 2) and (0, 4).
        assertEquals(50 / 2.0, vm.prefillTokensPerSecond(), 1e-9);
        assertEquals(6 / 2.0, vm.decodeTokensPerSecond(), 1e-9);
        assertEquals(52, vm.maxTokensPerStep());
        assertEquals(3, vm.latest().stepIndex());

        // Ten seconds later with no steps: the rates fall to zero, the bars stay.
        assertTrue(vm.update(List.of(), 13 * SECOND));
        assertEquals(0.0, vm.decodeTokensPerSecond());
        assertEquals(3, vm.bars().size());
        assertFalse(vm.update(List.of(), 14 * SECOND), "nothing changed");
    }

    @Test
    void theRecorderHandsOverEveryStepInOrderAndDropsBeyondItsCapacity() {
        long[] now = {0};
        StepRecorder recorder = new StepRecorder(3, () -> now[0]);
        for (int i = 0; i < 5; i++) {
            now[0] = i * 10L;
            recorder.accept(step(i, i, 1));
        }
        List<Recorded> out = new ArrayList<>();
        recorder.drainTo(out);
        assertEquals(List.of(0L, 1L, 2L), out.stream().map(r -> r.step().stepIndex()).toList());
        assertEquals(List.of(0L, 10L, 20L), out.stream().map(Recorded::atNanos).toList());
        out.clear();
        recorder.drainTo(out);
        assertTrue(out.isEmpty());
        assertThrows(IllegalArgumentException.class, () -> new StepRecorder(0, () -> 0));
    }

    private static StepStats stepOf(long index, double kvUsage, ScheduledTokens... scheduled) {
        return new StepStats(index, 1000, List.of(scheduled), new QueueCounts(scheduled.length, 0, 0), kvUsage,
                PrefixCacheStats.NONE, 0);
    }

    /**
     * Worked by hand: a's prompt is chunked over steps 0 and 1 (first token at the end of step 1, t = 20 ms),
     * then it decodes at 35 and 60 ms; b arrives in step 2 (prompt at 35 ms) and decodes at 60 ms. Step 3
     * ITLs: a 60 - 35 = 25 ms, b 60 - 35 = 25 ms; step 2: a 35 - 20 = 15 ms. KV usage is each step's own.
     */
    @Test
    void kvUsageItlAndTtftSeriesFollowTheStepsAndTheLog() {
        long ms = 1_000_000L;
        ThroughputViewModel vm = new ThroughputViewModel(3, 2 * SECOND);
        vm.update(List.of(
                new Recorded(stepOf(0, 0.10, new ScheduledTokens("a", 16, 0)), 10 * ms),
                new Recorded(stepOf(1, 0.20, new ScheduledTokens("a", 4, 0)), 20 * ms),
                new Recorded(stepOf(2, 0.30, new ScheduledTokens("a", 0, 1), new ScheduledTokens("b", 8, 0)), 35 * ms),
                new Recorded(stepOf(3, 0.25, new ScheduledTokens("a", 0, 1), new ScheduledTokens("b", 0, 1)), 60 * ms)),
                60 * ms);
        // The window keeps the last 3 steps.
        assertEquals(List.of(new Point(1, 0.20 * 100), new Point(2, 0.30 * 100), new Point(3, 0.25 * 100)), vm.kvUsagePoints());
        List<Point> itl = vm.itlPoints();
        assertEquals(2, itl.size(), itl.toString());
        assertEquals(2, itl.get(0).x());
        assertEquals(15.0, itl.get(0).y(), 1e-9);
        assertEquals(3, itl.get(1).x());
        assertEquals(25.0, itl.get(1).y(), 1e-9);

        // TTFT: one point per finished request, once, in the log's order; running requests wait.
        RequestLogEntry running = new RequestLogEntry("c", 5, 1, 0.004, "running", false);
        RequestLogEntry a = new RequestLogEntry("a", 20, 3, 0.020, "length", true);
        RequestLogEntry b = new RequestLogEntry("b", 8, 2, 0.035, "stop", true);
        assertTrue(vm.updateRequests(List.of(a, running)));
        assertFalse(vm.updateRequests(List.of(a, running)), "a is charted already");
        assertTrue(vm.updateRequests(List.of(a, b, running)));
        List<Point> ttft = vm.ttftPoints();
        assertEquals(2, ttft.size());
        assertEquals(0, ttft.get(0).x());
        assertEquals(20.0, ttft.get(0).y(), 1e-9);
        assertEquals(1, ttft.get(1).x());
        assertEquals(35.0, ttft.get(1).y(), 1e-9);
    }
}
