package dev.pagoda.webapi.bench.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The printed block against the layout of a block {@code vllm bench serve} printed (published
 * output: a 40-wide label, a space, the value left-aligned in 10, headers centred in 50), with
 * failed requests counted and the first error shown.
 */
class ResultReportTest {

    @Test
    void vllmLayoutWithAFailure() {
        List<RequestResult> results = List.of(
                new RequestResult(true, 100, 3, 0.010, List.of(0.020, 0.030), 0.060, null),
                RequestResult.failed(100, 0.001, "HTTP 503: queue full"),
                new RequestResult(true, 100, 3, 0.030, List.of(0.010, 0.010), 0.070, null));
        var run = new ServeBenchmark.Run("m", results, BenchmarkMetrics.of(results, 2.0), 3);
        var settings = new BenchSettings(
                new BenchSettings.Target(URI.create("http://localhost:8000"), Endpoint.COMPLETIONS, Optional.empty(), Optional.empty()),
                new BenchSettings.Workload(3, 100, 3, 0),
                new BenchSettings.Traffic(4.0, Optional.of(8)));
        StringWriter text = new StringWriter();
        ResultReport.print(settings, run, new PrintWriter(text));
        // TTFT 10, 30 ms; TPOT (60-10)/2 = 25 and (70-30)/2 = 20 ms; ITL 20, 30, 10, 10 ms.
        String expected = """
                First failed request: HTTP 503: queue full
                ============ Serving Benchmark Result ============
                Successful requests:                     2        \s
                Failed requests:                         1        \s
                Maximum request concurrency:             8        \s
                Request rate configured (RPS):           4.00     \s
                Benchmark duration (s):                  2.00     \s
                Total input tokens:                      200      \s
                Total generated tokens:                  6        \s
                Request throughput (req/s):              1.00     \s
                Output token throughput (tok/s):         3.00     \s
                Total Token throughput (tok/s):          103.00   \s
                ---------------Time to First Token----------------
                Mean TTFT (ms):                          20.00    \s
                Median TTFT (ms):                        20.00    \s
                P99 TTFT (ms):                           29.80    \s
                -----Time per Output Token (excl. 1st token)------
                Mean TPOT (ms):                          22.50    \s
                Median TPOT (ms):                        22.50    \s
                P99 TPOT (ms):                           24.95    \s
                ---------------Inter-token Latency----------------
                Mean ITL (ms):                           17.50    \s
                Median ITL (ms):                         15.00    \s
                P99 ITL (ms):                            29.70    \s
                ==================================================
                """;
        assertEquals(expected, text.toString().replace(System.lineSeparator(), "\n"));
    }
}
