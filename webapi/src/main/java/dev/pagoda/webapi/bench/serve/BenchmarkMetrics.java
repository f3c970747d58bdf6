package dev.pagoda.webapi.bench.serve;

import java.util.ArrayList;
import java.util.List;

/**
 * vLLM's serving metrics over the requests of one run (its {@code calculate_metrics}): counts and
 * throughputs over the whole duration; latency summaries over the successful requests.
 */
public record BenchmarkMetrics(int completed, int failed, long totalInput, long totalOutput, double durationSeconds,
        Latencies latenciesMs) {

    /**
     * Summaries in milliseconds. TPOT of a request is (latency − TTFT) / (output tokens − 1), taken
     * only from requests with more than one output token; ITL pools every gap of every request.
     */
    public record Latencies(Summary ttft, Summary tpot, Summary itl, Summary e2el) {}

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
        Latencies ms = new Latencies(Summary.of(ttfts).times(1000), Summary.of(tpots).times(1000),
                Summary.of(itls).times(1000), Summary.of(e2els).times(1000));
        return new BenchmarkMetrics(completed, failed, input, output, durationSeconds, ms);
    }

    public double requestThroughput() {
        return completed / durationSeconds;
    }

    public double outputThroughput() {
        return totalOutput / durationSeconds;
    }

    public double totalTokenThroughput() {
        return (totalInput + totalOutput) / durationSeconds;
    }
}
