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
import dev.pagoda.gui.throughput.StepRecorder.Recorded;
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
}
