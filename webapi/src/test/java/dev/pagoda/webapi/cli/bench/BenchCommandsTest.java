package dev.pagoda.webapi.cli.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.engine.api.GenerationRequest;
import dev.pagoda.engine.load.BuiltinShapes;
import dev.pagoda.engine.telemetry.StepStats;
import dev.pagoda.webapi.cli.ByteSizes;
import dev.pagoda.webapi.cli.EngineLauncher;
import dev.pagoda.webapi.cli.PagodaCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code pagoda bench throughput|latency} against {@link FakeEngine}: the printed and JSON numbers
 * must agree with what the engine was asked and did (requests, token counts, step kinds and their
 * synthetic durations) and with each other; no timing is asserted.
 */
class BenchCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long PREFILL_NANOS = 7_000_000, DECODE_NANOS = 2_500_000;

    @TempDir
    Path dir;

    private final List<FakeEngine> engines = new ArrayList<>();

    private record Run(int exit, String out, String err) {}

    private Run pagoda(FakeEngine.Setup setup, String... args) {
        EngineLauncher launcher = config -> {
            FakeEngine e = new FakeEngine(setup);
            engines.add(e);
            return e;
        };
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                if (cls == ThroughputCommand.class) return cls.cast(new ThroughputCommand(launcher));
                if (cls == LatencyCommand.class) return cls.cast(new LatencyCommand(launcher));
                return CommandLine.defaultFactory().create(cls);
            }
        };
        CommandLine cli = PagodaCli.commandLine(factory);
        StringWriter out = new StringWriter(), err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static FakeEngine.Setup setup(int maxNumSeqs) {
        return new FakeEngine.Setup(BuiltinShapes.QWEN2_5_0_5B, 256, maxNumSeqs, PREFILL_NANOS, DECODE_NANOS, -1);
    }

    @Test
    void throughputPrintsVllmsLineWithCountsTheEngineProduced() throws IOException {
        Path json = dir.resolve("t.json");
        int prompts = 13, inputLen = 9, outputLen = 6, maxSeqs = 4;
        Run run = pagoda(setup(maxSeqs), "bench", "throughput", "--model", "qwen2.5-0.5b", "--load-format", "dummy",
                "--num-prompts", "" + prompts, "--input-len", "" + inputLen, "--output-len", "" + outputLen,
                "--seed", "5", "--output-json", json.toString());
        assertEquals(0, run.exit(), run.err());
        FakeEngine engine = engines.getFirst();

        // What the engine was asked: the benchmark's fixed-length, ignore_eos workload.
        assertEquals(prompts, engine.requests.size());
        Set<Long> seeds = new HashSet<>();
        for (GenerationRequest r : engine.requests) {
            assertEquals(inputLen, r.promptTokenIds().length);
            assertTrue(Arrays.stream(r.promptTokenIds()).allMatch(id -> id >= 0 && id < BuiltinShapes.QWEN2_5_0_5B.vocabSize()));
            assertTrue(r.params().ignoreEos(), "ignore_eos");
            assertEquals(outputLen, r.params().maxTokens());
            seeds.add(r.params().seed());
        }
        assertEquals(prompts, seeds.size(), "each request samples with its own seed");

        // Printed counts equal what the engine did.
        long promptTokens = engine.requests.stream().mapToLong(r -> r.promptTokenIds().length).sum();
        assertEquals((long) prompts * inputLen, promptTokens);
        assertEquals((long) prompts * outputLen, engine.tokensEmitted());
        assertTrue(run.out().contains("Total num prompt tokens:  " + promptTokens + "\n"), run.out());
        assertTrue(run.out().contains("Total num output tokens:  " + engine.tokensEmitted() + "\n"), run.out());

        // The Throughput line is vLLM's, and its rates are the JSON's counts over the JSON's elapsed time.
        Matcher m = Pattern.compile("(?m)^Throughput: (\\d+\\.\\d\\d) requests/s, (\\d+\\.\\d\\d) total tokens/s, "
                + "(\\d+\\.\\d\\d) output tokens/s$").matcher(run.out());
        assertTrue(m.find(), run.out());
        JsonNode r = JSON.readTree(json.toFile());
        double elapsed = r.get("elapsed_time").asDouble();
        assertTrue(elapsed > 0);
        assertEquals(prompts, r.get("num_requests").asInt());
        assertEquals(promptTokens + engine.tokensEmitted(), r.get("total_num_tokens").asLong());
        assertEquals(prompts / elapsed, r.get("requests_per_second").asDouble(), 1e-9 * prompts / elapsed);
        assertEquals((promptTokens + engine.tokensEmitted()) / elapsed, r.get("tokens_per_second").asDouble(), 1e-6);
        assertEquals(engine.tokensEmitted() / elapsed, r.get("output_tokens_per_second").asDouble(), 1e-6);
        assertEquals(String.format(java.util.Locale.ROOT, "%.2f", r.get("requests_per_second").asDouble()), m.group(1));
        assertEquals(String.format(java.util.Locale.ROOT, "%.2f", r.get("tokens_per_second").asDouble()), m.group(2));
        assertEquals(String.format(java.util.Locale.ROOT, "%.2f", r.get("output_tokens_per_second").asDouble()), m.group(3));

        // Step split from the engine's StepStats: decode-only steps took the fake's fixed time.
        List<StepStats> steps = List.copyOf(engine.steps);
        long decodeSteps = steps.stream().filter(s -> s.prefillTokens() == 0 && s.decodeTokens() > 0).count();
        long prefillSteps = steps.stream().filter(s -> s.prefillTokens() > 0).count();
        assertEquals((prompts + maxSeqs - 1) / maxSeqs, prefillSteps, "admission waves of maxNumSeqs");
        JsonNode st = r.get("steps");
        assertEquals(decodeSteps, st.get("decode_steps").asLong());
        assertEquals(prefillSteps, st.get("prefill_steps").asLong());
        assertEquals(promptTokens, st.get("prefill_tokens").asLong());
        // every output token but each request's first (sampled after its prefill) is a decode token
        assertEquals(engine.tokensEmitted() - prompts, st.get("decode_tokens").asLong());
        assertEquals(DECODE_NANOS / 1e6, st.get("mean_decode_step_ms").asDouble(), 1e-12);
        assertEquals(PREFILL_NANOS / 1e6, st.get("mean_prefill_step_ms").asDouble(), 1e-12);
    }

    @Test
    void theSeedFixesThePrompts() {
        String[] base = {"bench", "throughput", "--model", "x", "--num-prompts", "3", "--input-len", "20", "--output-len", "2"};
        pagoda(setup(8), concat(base, "--seed", "1"));
        pagoda(setup(8), concat(base, "--seed", "1"));
        pagoda(setup(8), concat(base, "--seed", "2"));
        for (int i = 0; i < 3; i++) {
            int[] a = engines.get(0).requests.get(i).promptTokenIds();
            assertArrayEquals(a, engines.get(1).requests.get(i).promptTokenIds(), "same seed, prompt " + i);
            assertFalse(Arrays.equals(a, engines.get(2).requests.get(i).promptTokenIds()), "other seed, prompt " + i);
        }
    }

    @Test
    void latencyReportsEveryTimedIterationAndTheDecodeStepTime() throws IOException {
        Path json = dir.resolve("l.json");
        int batch = 3, inputLen = 5, outputLen = 4, warmup = 2, iters = 5;
        Run run = pagoda(setup(16), "bench", "latency", "--model", "x", "--batch-size", "" + batch, "--input-len", "" + inputLen,
                "--output-len", "" + outputLen, "--num-iters-warmup", "" + warmup, "--num-iters", "" + iters,
                "--output-json", json.toString());
        assertEquals(0, run.exit(), run.err());
        FakeEngine engine = engines.getFirst();
        assertEquals((warmup + iters) * batch, engine.requests.size());
        assertEquals((long) (warmup + iters) * batch * outputLen, engine.tokensEmitted());

        JsonNode r = JSON.readTree(json.toFile());
        double[] latencies = new double[iters];
        for (int i = 0; i < iters; i++) latencies[i] = r.get("latencies").get(i).asDouble();
        assertEquals(iters, r.get("latencies").size());
        double mean = Arrays.stream(latencies).sum() / iters;
        assertEquals(mean, r.get("avg_latency").asDouble(), 1e-12);
        for (int pct : new int[] {10, 25, 50, 75, 90, 99}) {
            assertEquals(numpyPercentile(latencies, pct), r.get("percentiles").get("" + pct).asDouble(), 1e-12, "p" + pct);
            assertTrue(run.out().contains(pct + "% percentile latency: "
                    + String.format(java.util.Locale.ROOT, "%.6f", r.get("percentiles").get("" + pct).asDouble()) + " seconds"), run.out());
        }
        assertTrue(run.out().contains(String.format(java.util.Locale.ROOT, "Avg latency: %.6f seconds", mean)), run.out());

        // A whole batch fits one step: per timed iteration one prefill step (the first tokens), then
        // outputLen - 1 decode steps of batch tokens each.
        JsonNode st = r.get("steps");
        assertEquals(iters, st.get("prefill_steps").asInt());
        assertEquals(iters * (outputLen - 1), st.get("decode_steps").asInt());
        assertEquals((long) iters * (outputLen - 1) * batch, st.get("decode_step_tokens").asLong());
        assertEquals((long) iters * (outputLen - 1) * batch, st.get("decode_tokens").asLong());
        assertEquals(DECODE_NANOS / 1e6, st.get("mean_decode_step_ms").asDouble(), 1e-12);
        assertTrue(run.out().contains(String.format(java.util.Locale.ROOT, "Decode step (batch %d): mean %.3f ms", batch,
                DECODE_NANOS / 1e6)), run.out());
        // decode tokens/s = batch tokens per step over the step time
        assertTrue(run.out().contains(String.format(java.util.Locale.ROOT, "; %.2f decode tokens/s", batch / (DECODE_NANOS / 1e9))),
                run.out());
    }

    @Test
    void throughputHoldsEveryRequestToTheStructuredOutputSchema() throws IOException {
        Path schema = dir.resolve("schema.json");
        String text = "{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}";
        java.nio.file.Files.writeString(schema, text);
        Run run = pagoda(setup(4), "bench", "throughput", "--model", "qwen2.5-0.5b", "--load-format", "dummy", "--num-prompts", "5",
                "--input-len", "4", "--output-len", "3", "--structured-output-schema", schema.toString());
        assertEquals(0, run.exit(), run.err());
        FakeEngine engine = engines.getFirst();
        assertEquals(6, engine.requests.size(), "a one-token warm-up, then the five");
        for (GenerationRequest r : engine.requests) {
            var constraint = (dev.pagoda.engine.structured.StructuredOutput.JsonSchema) r.params().structuredOutput();
            assertEquals(text, constraint.schemaJson());
            assertEquals("--structured-output-schema", constraint.parameter());
        }
        assertEquals(1, engine.requests.getFirst().params().maxTokens());
        assertTrue(run.out().contains("Structured output: " + schema + ", grammar compiled"), run.out());
        assertTrue(run.out().contains("output tokens were generated while the grammar was open"), run.out());

        Run missing = pagoda(setup(4), "bench", "throughput", "--model", "x", "--structured-output-schema", dir.resolve("none.json").toString());
        assertEquals(2, missing.exit());
        assertTrue(missing.err().startsWith("pagoda: --structured-output-schema " + dir.resolve("none.json") + ": cannot read it"), missing.err());
    }

    @Test
    void badFlagsAndFailedRequestsGiveOneLineErrors() {
        Run zero = pagoda(setup(4), "bench", "throughput", "--model", "x", "--num-prompts", "0");
        assertEquals(2, zero.exit());
        assertEquals("pagoda: --num-prompts must be >= 1, got 0\n", zero.err());
        assertTrue(engines.isEmpty(), "no engine is started for a bad flag");

        Run tooLong = pagoda(setup(4), "bench", "latency", "--model", "x", "--input-len", "200", "--output-len", "100");
        assertEquals(2, tooLong.exit());
        assertEquals("pagoda: --input-len 200 + --output-len 100 exceeds the context length 256 (--max-model-len)\n", tooLong.err());

        Run iters = pagoda(setup(4), "bench", "latency", "--model", "x", "--num-iters", "0");
        assertEquals("pagoda: --num-iters must be >= 1, got 0\n", iters.err());

        Run kv = pagoda(setup(4), "bench", "throughput", "--model", "x", "--kv-cache-memory", "lots");
        assertEquals(2, kv.exit());
        assertTrue(kv.err().startsWith("pagoda: --kv-cache-memory must be a size"), kv.err());

        FakeEngine.Setup failing = new FakeEngine.Setup(BuiltinShapes.QWEN2_5_0_5B, 256, 4, 1, 1, 2);
        Run failed = pagoda(failing, "bench", "throughput", "--model", "x", "--num-prompts", "5", "--input-len", "3", "--output-len", "3");
        assertEquals(2, failed.exit());
        assertEquals("pagoda: request bench-0-2 failed: injected failure\n", failed.err());
    }

    @Test
    void kvCacheMemorySizesAreBinary() {
        assertEquals(4L << 30, ByteSizes.parse("4GiB", "--kv-cache-memory"));
        assertEquals(512L << 20, ByteSizes.parse("512MB", "--kv-cache-memory"));
        assertEquals(3L << 29, ByteSizes.parse("1.5g", "--kv-cache-memory"));
        assertEquals(1234, ByteSizes.parse("1234", "--kv-cache-memory"));
    }

    /** numpy.percentile's default linear interpolation, written from its documentation. */
    private static double numpyPercentile(double[] values, double pct) {
        double[] v = values.clone();
        Arrays.sort(v);
        double pos = (v.length - 1) * pct / 100;
        int i = (int) pos;
        return i + 1 < v.length ? v[i] * (1 - (pos - i)) + v[i + 1] * (pos - i) : v[i];
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
