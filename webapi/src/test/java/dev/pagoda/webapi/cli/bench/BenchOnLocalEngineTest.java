package dev.pagoda.webapi.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.webapi.cli.PagodaCli;
import dev.pagoda.webapi.testing.RealEngines;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code pagoda bench} end to end on the real {@link dev.pagoda.engine.core.LocalEngine} over the
 * tiny Llama fixture, started from the command's own flags: the token counts it prints, and those
 * of the engine's step statistics, must be what the fixed-length workload implies. How the
 * scheduler splits a batch over steps is its own business (a submission racing the loop may land
 * one step later), so step counts are not pinned; token counts are exact whatever the split.
 */
class BenchOnLocalEngineTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static String[] engineFlags(String... rest) {
        String[] common = {"--model", RealEngines.fixtureFolder().toString(), "--threads", "2", "--kv-cache-memory", "4MiB",
                "--max-model-len", "128", "--seed", "3"};
        String[] all = new String[rest.length + common.length];
        System.arraycopy(rest, 0, all, 0, rest.length);
        System.arraycopy(common, 0, all, rest.length, common.length);
        return all;
    }

    private static String run(String... args) {
        CommandLine cli = PagodaCli.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        assertEquals(0, exit, "stderr: " + err + "\nstdout: " + out);
        return out.toString();
    }

    @Test
    void throughputCountsWhatTheWorkloadImplies() throws IOException {
        Path json = dir.resolve("t.json");
        int prompts = 6, inputLen = 10, outputLen = 5;
        String out = run(engineFlags("bench", "throughput", "--num-prompts", "" + prompts, "--input-len", "" + inputLen,
                "--output-len", "" + outputLen, "--output-json", json.toString()));
        assertTrue(out.contains("Total num prompt tokens:  " + prompts * inputLen + "\n"), out);
        assertTrue(out.contains("Total num output tokens:  " + prompts * outputLen + "\n"), out);
        assertTrue(out.matches("(?s).*Throughput: \\d+\\.\\d\\d requests/s, \\d+\\.\\d\\d total tokens/s, \\d+\\.\\d\\d output tokens/s\n.*"), out);
        JsonNode r = JSON.readTree(json.toFile());
        assertEquals(prompts, r.get("num_requests").asInt());
        assertEquals(prompts * (inputLen + outputLen), r.get("total_num_tokens").asLong());
        assertEquals(prompts / r.get("elapsed_time").asDouble(), r.get("requests_per_second").asDouble(), 1e-9 * r.get("requests_per_second").asDouble());
        // Random prompts share no full block, so the prefix cache finds nothing: every prompt token is computed.
        assertEquals(prompts * inputLen, r.get("steps").get("prefill_tokens").asLong());
        // each request's first token is sampled after its prefill; every later one is a decode token
        assertEquals((long) prompts * (outputLen - 1), r.get("steps").get("decode_tokens").asLong());
        assertTrue(r.get("steps").get("decode_steps").asInt() >= outputLen - 1, r.toString());
    }

    @Test
    void aPoolTooSmallForTheBatchPreemptsAndStillFinishesEveryRequest() throws IOException {
        Path json = dir.resolve("p.json");
        int prompts = 12, inputLen = 40, outputLen = 60; // 100 tokens = 7 blocks of 16 each; the pool holds 16 blocks
        String out = run("bench", "throughput", "--model", RealEngines.fixtureFolder().toString(), "--threads", "2",
                "--kv-cache-memory", "128KiB", "--max-model-len", "128", "--seed", "3", "--num-prompts", "" + prompts,
                "--input-len", "" + inputLen, "--output-len", "" + outputLen, "--output-json", json.toString());
        assertTrue(out.contains("Total num output tokens:  " + prompts * outputLen + "\n"), out);
        JsonNode r = JSON.readTree(json.toFile());
        long preemptions = r.get("steps").get("preemptions").asLong();
        assertTrue(preemptions > 0, "16 blocks for 12 requests of 7 blocks: someone must be preempted; " + out);
        assertTrue(out.contains("Preemptions: " + preemptions + " "), out);
    }

    @Test
    void latencyTimesEveryIterationAndCountsItsDecodeSteps() throws IOException {
        Path json = dir.resolve("l.json");
        int batch = 3, inputLen = 7, outputLen = 4, iters = 3;
        String out = run(engineFlags("bench", "latency", "--batch-size", "" + batch, "--input-len", "" + inputLen,
                "--output-len", "" + outputLen, "--num-iters-warmup", "1", "--num-iters", "" + iters, "--output-json", json.toString()));
        assertTrue(out.contains("Avg latency: "), out);
        JsonNode r = JSON.readTree(json.toFile());
        assertEquals(iters, r.get("latencies").size());
        assertTrue(r.get("steps").get("prefill_steps").asInt() >= iters, r.toString());
        assertTrue(r.get("steps").get("decode_steps").asInt() >= iters * (outputLen - 1), r.toString());
        assertEquals((long) iters * (outputLen - 1) * batch, r.get("steps").get("decode_tokens").asLong());
        assertEquals((long) iters * batch * inputLen, r.get("steps").get("prefill_tokens").asLong());
    }

    @Test
    void engineFlagErrorsAreOneLine() {
        CommandLine cli = PagodaCli.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        cli.setOut(new PrintWriter(new StringWriter()));
        int exit = cli.execute("bench", "throughput", "--model", "qwen2.5-0.5b", "--load-format", "dummy", "--block-size", "0");
        assertEquals(2, exit);
        assertEquals("pagoda: --block-size must be in [1, 256], got 0\n", err.toString());
    }
}
