package dev.pagoda.engine.api;

import dev.pagoda.engine.telemetry.KvSnapshot;
import dev.pagoda.engine.telemetry.StepStats;

/**
 * A consistent view of the engine after its latest step, for the GUI (once per frame) and
 * {@code /metrics}. Immutable.
 *
 * @param lastStep   null before the first step
 * @param kvSnapshot every block's state now
 * @param totals     running totals since start
 * @param queues     requests running and waiting now — not {@code lastStep}'s counts, which go stale
 *                   when requests are aborted while the engine is idle
 */
public record EngineState(StepStats lastStep, KvSnapshot kvSnapshot, EngineTotals totals, StepStats.QueueCounts queues) {

    /** A state whose current queue counts are those after {@code lastStep} (none before a first step). */
    public EngineState(StepStats lastStep, KvSnapshot kvSnapshot, EngineTotals totals) {
        this(lastStep, kvSnapshot, totals, lastStep == null ? new StepStats.QueueCounts(0, 0, 0) : lastStep.queues());
    }
}
