package dev.pagoda.webapi.bench.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** vLLM's calculate_metrics on hand-made request records, the expected numbers worked out by hand. */
class BenchmarkMetricsTest {

    @Test
    void countsThroughputsAndLatencies() {
        List<RequestResult> results = List.of(
                // TPOT (1.0 - 0.2) / (5 - 1) = 0.2
                new RequestResult(true, 10, 5, 0.2, List.of(0.1, 0.3), 1.0, null),
                // TPOT (2.0 - 0.4) / (3 - 1) = 0.8
                new RequestResult(true, 10, 3, 0.4, List.of(0.5), 2.0, null),
                // one output token: no TPOT, as in vLLM
                new RequestResult(true, 10, 1, 0.6, List.of(), 0.6, null),
                RequestResult.failed(10, 0.1, "HTTP 503"));
        BenchmarkMetrics m = BenchmarkMetrics.of(results, 4.0);
        assertEquals(3, m.completed());
        assertEquals(1, m.failed());
        assertEquals(30, m.totalInput(), "failed requests add no input");
        assertEquals(9, m.totalOutput());
        assertEquals(0.75, m.requestThroughput(), 1e-12);
        assertEquals(2.25, m.outputThroughput(), 1e-12);
        assertEquals(39 / 4.0, m.totalTokenThroughput(), 1e-12);
        assertEquals(400, m.latenciesMs().ttft().mean(), 1e-9);
        assertEquals(400, m.latenciesMs().ttft().median(), 1e-9);
        assertEquals(500, m.latenciesMs().tpot().mean(), 1e-9);
        assertEquals(200 + 0.99 * 600, m.latenciesMs().tpot().p99(), 1e-9);
        // ITLs pooled over requests: 0.1, 0.3, 0.5
        assertEquals(300, m.latenciesMs().itl().mean(), 1e-9);
        assertEquals(300, m.latenciesMs().itl().median(), 1e-9);
        assertEquals(1200, m.latenciesMs().e2el().mean(), 1e-9);
    }

    @Test
    void allFailedGivesZeros() {
        BenchmarkMetrics m = BenchmarkMetrics.of(List.of(RequestResult.failed(3, 1, "x")), 2);
        assertEquals(0, m.completed());
        assertEquals(1, m.failed());
        assertEquals(new Summary(0, 0, 0, 0), m.latenciesMs().ttft());
    }
}
