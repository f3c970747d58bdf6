package dev.pagoda.webapi.bench.serve;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * vLLM's report of a serving run, label for label and in its column layout (a 40-wide label, the
 * value left-aligned in 10), so output of both tools can be read side by side; and its result
 * JSON keys for {@code --output-json}.
 */
public final class ResultReport {

    private static final int WIDTH = 50;

    private ResultReport() {}

    public static void print(BenchSettings settings, ServeBenchmark.Run run, PrintWriter out) {
        BenchmarkMetrics m = run.metrics();
        run.results().stream().filter(r -> !r.success()).findFirst()
                .ifPresent(r -> out.println("First failed request: " + r.error()));
        out.println(centered(" Serving Benchmark Result ", '='));
        row(out, "Successful requests:", Integer.toString(m.completed()));
        row(out, "Failed requests:", Integer.toString(m.failed()));
        settings.traffic().maxConcurrency().ifPresent(c -> row(out, "Maximum request concurrency:", Integer.toString(c)));
        if (!settings.traffic().unlimitedRate()) row(out, "Request rate configured (RPS):", settings.traffic().requestRate());
        row(out, "Benchmark duration (s):", m.durationSeconds());
        row(out, "Total input tokens:", Long.toString(m.totalInput()));
        row(out, "Total generated tokens:", Long.toString(m.totalOutput()));
        row(out, "Request throughput (req/s):", m.requestThroughput());
        row(out, "Output token throughput (tok/s):", m.outputThroughput());
        row(out, "Total Token throughput (tok/s):", m.totalTokenThroughput());
        section(out, "Time to First Token", "TTFT", m.latenciesMs().ttft());
        section(out, "Time per Output Token (excl. 1st token)", "TPOT", m.latenciesMs().tpot());
        section(out, "Inter-token Latency", "ITL", m.latenciesMs().itl());
        out.println("=".repeat(WIDTH));
        out.flush();
    }

    /** The keys vLLM's {@code --save-result} writes (times per request in seconds, summaries in ms), plus the run's settings. */
    public static Map<String, Object> json(BenchSettings settings, ServeBenchmark.Run run) {
        BenchmarkMetrics m = run.metrics();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("date", Instant.now().toString());
        json.put("backend", settings.target().endpoint() == Endpoint.CHAT ? "openai-chat" : "openai");
        json.put("model_id", run.model());
        json.put("num_prompts", settings.workload().numPrompts());
        json.put("request_rate", settings.traffic().unlimitedRate() ? "inf" : settings.traffic().requestRate());
        json.put("max_concurrency", settings.traffic().maxConcurrency().orElse(null));
        json.put("duration", m.durationSeconds());
        json.put("completed", m.completed());
        json.put("failed", m.failed());
        json.put("total_input_tokens", m.totalInput());
        json.put("total_output_tokens", m.totalOutput());
        json.put("request_throughput", m.requestThroughput());
        json.put("output_throughput", m.outputThroughput());
        json.put("total_token_throughput", m.totalTokenThroughput());
        List<RequestResult> results = run.results();
        json.put("input_lens", results.stream().map(RequestResult::promptTokens).toList());
        json.put("output_lens", results.stream().map(RequestResult::outputTokens).toList());
        json.put("ttfts", results.stream().map(RequestResult::ttft).toList());
        json.put("itls", results.stream().map(RequestResult::itl).toList());
        json.put("errors", results.stream().map(r -> r.error() == null ? "" : r.error()).toList());
        summary(json, "ttft", m.latenciesMs().ttft());
        summary(json, "tpot", m.latenciesMs().tpot());
        summary(json, "itl", m.latenciesMs().itl());
        summary(json, "e2el", m.latenciesMs().e2el());
        return json;
    }

    private static void summary(Map<String, Object> json, String name, Summary s) {
        json.put("mean_" + name + "_ms", s.mean());
        json.put("median_" + name + "_ms", s.median());
        json.put("std_" + name + "_ms", s.std());
        json.put("p99_" + name + "_ms", s.p99());
    }

    private static void section(PrintWriter out, String header, String name, Summary ms) {
        out.println(centered(header, '-'));
        row(out, "Mean " + name + " (ms):", ms.mean());
        row(out, "Median " + name + " (ms):", ms.median());
        row(out, "P99 " + name + " (ms):", ms.p99());
    }

    private static void row(PrintWriter out, String label, double value) {
        row(out, label, String.format(Locale.ROOT, "%.2f", value));
    }

    private static void row(PrintWriter out, String label, String value) {
        out.println(String.format(Locale.ROOT, "%-40s %-10s", label, value));
    }

    /** Python's {@code format(s, "c^50")}: the odd pad character goes to the right. */
    static String centered(String text, char fill) {
        int pad = Math.max(0, WIDTH - text.length());
        String c = String.valueOf(fill);
        return c.repeat(pad / 2) + text + c.repeat(pad - pad / 2);
    }
}
