package dev.pagoda.engine.api;

import dev.pagoda.engine.telemetry.KvSnapshot;
import dev.pagoda.engine.telemetry.StepStats;

/**
 * A consistent view of the engine after its latest step, for the GUI (once per frame) and
 * {@code /metrics}. Immutable.
 *
 * @param lastStep   null before the first step
 * @param kvSnapshot every block's state after the latest step
 * @param totals     running totals since start
 */
public record EngineState(StepStats lastStep, KvSnapshot kvSnapshot, EngineTotals totals) {}
