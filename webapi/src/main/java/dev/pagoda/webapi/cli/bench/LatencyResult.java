package dev.pagoda.webapi.cli.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code pagoda bench latency}'s numbers; {@code avgLatency}, {@code latencies} and
 * {@code percentiles} are the keys of vLLM's {@code benchmark_latency.py --output-json}.
 *
 * @param latencies   end-to-end seconds of each timed iteration (one whole batch)
 * @param percentiles percentile (10, 25, 50, 75, 90, 99) → seconds
 * @param steps       engine steps of the timed iterations
 */
record LatencyResult(double avgLatency, List<Double> latencies, Map<String, Double> percentiles, int batchSize,
                     int inputLen, int outputLen, StepTimes steps) {

    static final int[] PERCENTAGES = {10, 25, 50, 75, 90, 99};

    static LatencyResult of(double[] latencies, Workload workload, StepTimes steps) {
        Map<String, Double> p = new LinkedHashMap<>();
        for (int pct : PERCENTAGES) p.put(Integer.toString(pct), Percentiles.of(latencies, pct));
        return new LatencyResult(Percentiles.mean(latencies), java.util.Arrays.stream(latencies).boxed().toList(), p,
                workload.prompts(), workload.inputLen(), workload.outputLen(), steps);
    }
}
