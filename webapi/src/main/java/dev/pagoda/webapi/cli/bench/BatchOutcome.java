package dev.pagoda.webapi.cli.bench;

import dev.pagoda.engine.telemetry.StepStats;
import java.util.List;

/**
 * What one batch of requests did, counted from the engine's own reports.
 *
 * @param elapsedNanos  from the first submit until the last request finished
 * @param promptTokens  sum of the finished requests' prompt tokens (their usage)
 * @param outputTokens  tokens the streams delivered, over all requests
 * @param steps         the engine steps run while the batch was in flight, in order
 */
record BatchOutcome(long elapsedNanos, long promptTokens, long outputTokens, List<StepStats> steps) {

    BatchOutcome {
        steps = List.copyOf(steps);
    }

    double elapsedSeconds() {
        return elapsedNanos / 1e9;
    }
}
