package dev.pagoda.webapi.bench.serve;

import java.util.ArrayList;
import java.util.List;

/**
 * vLLM's serving metrics over the requests of one run (its {@code calculate_metrics}): counts and
 * throughputs over the whole duration; TTFT, TPOT, ITL and E2E latency summaries in milliseconds
 * over the successful requests. TPOT of a request is (latency − TTFT) / (output tokens − 1), taken
 * only from requests with more than one output token; ITL pools every gap of every request.
 */
public record BenchmarkMetrics(int completed, int failed, long totalInput, long totalOutput, double durationSeconds,
        double requestThroughput, double outputThroughput, double totalTokenThroughput,
        Summary ttftMs, Summary tpotMs, Summary itlMs, Summary e2elMs) {

    public static BenchmarkMetrics of(List<RequestResult> results, double durationSeconds) {
        int completed = 0, failed = 0;
        long input = 0, output = 0;
        List<Double> ttfts = new ArrayList<>(), tpots = new ArrayList<>(), itls = new ArrayList<>(), e2els = new ArrayList<>();
        for (RequestResult r : results) {
            if (!r.success()) {
                failed++;
                continue;
            }
            completed++;
            input += r.promptTokens();
            output += r.outputTokens();
            if (r.outputTokens() > 1) tpots.add((r.latency() - r.ttft()) / (r.outputTokens() - 1));
            itls.addAll(r.itl());
            ttfts.add(r.ttft());
            e2els.add(r.latency());
        }
        return new BenchmarkMetrics(completed, failed, input, output, durationSeconds,
                completed / durationSeconds, output / durationSeconds, (input + output) / durationSeconds,
                Summary.of(ttfts).times(1000), Summary.of(tpots).times(1000), Summary.of(itls).times(1000),
                Summary.of(e2els).times(1000));
    }
}
