package dev.pagoda.webapi.bench.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.engine.core.LocalEngine;
import dev.pagoda.webapi.server.PagodaServer;
import dev.pagoda.webapi.server.ServerOptions;
import dev.pagoda.webapi.testing.FixtureModel;
import dev.pagoda.webapi.testing.Http;
import dev.pagoda.webapi.testing.PrometheusText;
import dev.pagoda.webapi.testing.RealEngines;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code bench serve} against a real {@link PagodaServer} on the fixture model: what it prints and
 * writes agrees with what was sent (N requests of L prompt tokens and O output tokens), with the
 * server's own counters in {@code /metrics}, and with the per-request times it recorded.
 */
class BenchServeCommandTest {

    static final String KEY = "bench-key";
    static LocalEngine engine;
    static PagodaServer server;
    static String baseUrl;

    @BeforeAll
    static void start() {
        engine = RealEngines.start();
        server = PagodaServer.start(engine, ServerOptions.local().withAddress("127.0.0.1", 0).withApiKey(KEY));
        baseUrl = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
        engine.close();
    }

    record Outcome(int exitCode, String out, String err) {
        /** The value column of the report row whose label is {@code label}. */
        String row(String label) {
            for (String line : out.split("\n")) {
                if (line.startsWith(label)) return line.substring(41).strip();
            }
            throw new AssertionError("no row '" + label + "' in:\n" + out);
        }
    }

    static Outcome bench(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cli = new CommandLine(new BenchServeCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    private static double successes(PrometheusText m) {
        return m.value("vllm:request_success_total", "finished_reason", "length");
    }

    /** Prompt tokens the server took in: computed ones plus prefix-cache hits (the initial test request repeats prompt 0). */
    private static double promptTokensSeen() {
        PrometheusText m = metrics();
        return m.value("vllm:prompt_tokens_total") + m.value("vllm:prefix_cache_hits_total");
    }

    private static PrometheusText metrics() {
        return PrometheusText.parse(new Http(URI.create(baseUrl), KEY).get("/metrics").body());
    }

    @Test
    void completionsSendExactLengthsAndTheReportAddsUp(@TempDir Path dir) throws IOException {
        int n = 6, l = 24, o = 5;
        double successesBefore = successes(metrics());
        double promptTokensBefore = promptTokensSeen();
        Path json = dir.resolve("result.json");
        Outcome r = bench("--base-url", baseUrl, "--api-key", KEY, "--request-rate", "50", "--num-prompts", "" + n,
                "--input-len", "" + l, "--output-len", "" + o, "--seed", "3", "--output-json", json.toString());
        assertEquals(0, r.exitCode(), r.out() + r.err());

        assertTrue(r.out().contains("============ Serving Benchmark Result ============"), r.out());
        assertTrue(r.out().contains("---------------Time to First Token----------------"), r.out());
        assertTrue(r.out().contains("-----Time per Output Token (excl. 1st token)------"), r.out());
        assertTrue(r.out().contains("---------------Inter-token Latency----------------"), r.out());
        assertEquals("" + n, r.row("Successful requests:"));
        assertEquals("0", r.row("Failed requests:"));
        assertEquals("50.00", r.row("Request rate configured (RPS):"));
        assertEquals("" + n * l, r.row("Total input tokens:"));
        assertEquals("" + n * o, r.row("Total generated tokens:"));

        // The server counted the same, plus the initial test request (prompt 0 once more).
        PrometheusText after = metrics();
        assertEquals(successesBefore + n + 1, successes(after));
        assertEquals(promptTokensBefore + (n + 1) * l, promptTokensSeen());

        JsonNode result = new ObjectMapper().readTree(json.toFile());
        assertEquals(n, result.get("completed").asInt());
        assertEquals(FixtureModel.NAME, result.get("model_id").asText(), "the first model of /v1/models");
        double duration = result.get("duration").asDouble();
        assertEquals(String.format("%.2f", duration), r.row("Benchmark duration (s):"));
        assertEquals(String.format("%.2f", n / duration), r.row("Request throughput (req/s):"));
        assertEquals(String.format("%.2f", n * o / duration), r.row("Output token throughput (tok/s):"));
        assertEquals(String.format("%.2f", n * (l + o) / duration), r.row("Total Token throughput (tok/s):"));
        // The summaries printed are those of the per-request times written: mean and max bound them.
        double ttftSum = 0, ttftMax = 0;
        int itlCount = 0;
        for (int i = 0; i < n; i++) {
            double ttft = result.get("ttfts").get(i).asDouble();
            ttftSum += ttft;
            ttftMax = Math.max(ttftMax, ttft);
            itlCount += result.get("itls").get(i).size();
            assertEquals(o, result.get("output_lens").get(i).asInt());
            assertEquals(l, result.get("input_lens").get(i).asInt());
        }
        assertEquals(String.format("%.2f", ttftSum / n * 1000), r.row("Mean TTFT (ms):"));
        assertTrue(Double.parseDouble(r.row("P99 TTFT (ms):")) <= ttftMax * 1000 + 0.01);
        assertTrue(itlCount >= 1 && itlCount <= n * (o - 1), "at most one gap per token after the first: " + itlCount);
    }

    @Test
    void chatPromptsStayWithinTheInputLength(@TempDir Path dir) throws IOException {
        int n = 3, l = 40, o = 4;
        double promptTokensBefore = promptTokensSeen();
        Path json = dir.resolve("chat.json");
        Outcome r = bench("--base-url", baseUrl + "/", "--api-key", KEY, "--endpoint", "/v1/chat/completions",
                "--model", FixtureModel.NAME, "--request-rate", "inf", "--num-prompts", "" + n,
                "--input-len", "" + l, "--output-len", "" + o, "--output-json", json.toString());
        assertEquals(0, r.exitCode(), r.out() + r.err());
        assertEquals("" + n, r.row("Successful requests:"));
        assertEquals("" + n * o, r.row("Total generated tokens:"));
        int input = Integer.parseInt(r.row("Total input tokens:"));
        int testRequest = new ObjectMapper().readTree(json.toFile()).get("input_lens").get(0).asInt();
        assertEquals(promptTokensSeen() - promptTokensBefore, input + testRequest, 1e-9,
                "the server's own count, with the initial test request (prompt 0 again)");
        // Each prompt is the most words that fit in l; a word of this vocabulary is at most a few tokens.
        assertTrue(input <= n * l && input >= n * (l - 8), "input " + input);
    }

    @Test
    void concurrencyCapHoldsRequestsBack() throws InterruptedException {
        BenchSettings settings = new BenchSettings(
                new BenchSettings.Target(URI.create(baseUrl), Endpoint.COMPLETIONS, Optional.empty(), Optional.of(KEY)),
                new BenchSettings.Workload(8, 8, 6, 0),
                new BenchSettings.Traffic(Double.POSITIVE_INFINITY, Optional.of(2)));
        ServeBenchmark.Run run = new ServeBenchmark(settings).run(new PrintWriter(new StringWriter()));
        assertEquals(8, run.metrics().completed());
        assertEquals(2, run.peakInFlight(), "eight sent at once, never more than two in flight");
    }

    @Test
    void aRunThatCannotWorkStopsAtTheInitialTestRequest() {
        // /tokenize ignores the model name, so the prompts are made and the first request meets the server's 404.
        double before = metrics().value("vllm:request_success_total", "finished_reason", "length");
        Outcome r = bench("--base-url", baseUrl, "--api-key", KEY, "--model", "no-such-model", "--num-prompts", "3",
                "--input-len", "4", "--output-len", "2");
        assertEquals(1, r.exitCode(), r.out() + r.err());
        assertTrue(r.err().contains("Initial test run failed") && r.err().contains("HTTP 404") && r.err().contains("no-such-model"), r.err());
        assertTrue(!r.out().contains("Serving Benchmark Result"), r.out());
        assertEquals(before, metrics().value("vllm:request_success_total", "finished_reason", "length"));
    }

    @Test
    void aWrongKeyStopsTheRunBeforeItStarts() {
        Outcome r = bench("--base-url", baseUrl, "--api-key", "wrong", "--num-prompts", "2", "--input-len", "4", "--output-len", "2");
        assertEquals(1, r.exitCode(), r.out() + r.err());
        assertTrue(r.err().contains("HTTP 401"), r.err());
        assertTrue(!r.out().contains("Serving Benchmark Result"), r.out());
    }

    @Test
    void badParametersAreOneClearError() {
        Map<String, String[]> cases = new HashMap<>();
        cases.put("--request-rate", new String[] {"--base-url", baseUrl, "--request-rate", "0"});
        cases.put("--request-rate must be a number", new String[] {"--base-url", baseUrl, "--request-rate", "fast"});
        cases.put("--endpoint", new String[] {"--base-url", baseUrl, "--endpoint", "/v1/embeddings"});
        cases.put("--num-prompts", new String[] {"--base-url", baseUrl, "--num-prompts", "0"});
        cases.put("--base-url", new String[] {"--base-url", "localhost:8000"});
        cases.put("exceeds the model's context", new String[] {"--base-url", baseUrl, "--api-key", KEY, "--input-len", "100000"});
        for (var c : cases.entrySet()) {
            Outcome r = bench(c.getValue());
            assertTrue(r.exitCode() != 0, c.getKey());
            assertTrue(r.err().contains(c.getKey()), c.getKey() + " not in: " + r.err());
            assertTrue(!r.err().contains("Exception\n\tat") && !r.err().contains("\tat "), "no stack trace: " + r.err());
        }
    }

    @Test
    void unreachableServerIsOneClearError() throws IOException {
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        } // closed: nothing listens there now
        Outcome r = bench("--base-url", "http://127.0.0.1:" + port, "--num-prompts", "1");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("cannot reach http://127.0.0.1:" + port + "/v1/models"), r.err());
    }
}
