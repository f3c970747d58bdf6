package dev.pagoda.webapi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.engine.core.EngineConfig;
import dev.pagoda.engine.load.BuiltinShapes;
import dev.pagoda.engine.load.LoadFormat;
import dev.pagoda.webapi.server.ServerOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The serve flags of the hardened server, as vLLM spells the ones it has, and the launcher's memory plan. */
class ServeOptionsTest {

    private static ServerOptions parse(String... args) {
        ServeCommand cmd = new ServeCommand(flags -> { throw new AssertionError("not started"); });
        new CommandLine(cmd).parseArgs(args);
        return cmd.serverOptions();
    }

    @Test
    void severalApiKeys() {
        assertEquals(List.of("k1", "k2"), parse("--api-key", "k1", "--api-key", "k2").apiKeys());
        assertEquals(List.of(), parse().apiKeys().stream().filter(k -> !k.equals(System.getenv("VLLM_API_KEY"))).toList());
    }

    @Test
    void allowedOriginsAsVllmsJsonListOrCommas() {
        assertEquals(List.of("http://a", "http://b"), parse("--allowed-origins", "[\"http://a\", \"http://b\"]").allowedOrigins());
        assertEquals(List.of("http://a", "http://b"), parse("--allowed-origins", "http://a, http://b").allowedOrigins());
        assertEquals(List.of("http://a", "http://b", "http://c"),
                parse("--allowed-origins", "[\"http://a\"]", "--allowed-origins", "http://b,http://c").allowedOrigins());
        assertEquals(List.of("*"), parse("--allowed-origins", "[\"*\"]").allowedOrigins());
        assertThrows(IllegalArgumentException.class, () -> parse("--allowed-origins", "[\"http://a\", 3]"));
        assertThrows(IllegalArgumentException.class, () -> parse("--allowed-origins", "[\"http://a\""));
    }

    @Test
    void hostsMetricsAndConnections() {
        ServerOptions o = parse("--allowed-hosts", "[\"localhost\", \".lan\"]", "--metrics-without-key", "--max-connections", "64",
                "--timeout-keep-alive", "5");
        assertEquals(List.of("localhost", ".lan"), o.access().allowedHosts());
        assertTrue(o.access().metricsWithoutKey());
        assertEquals(64, o.connections().maxConnections());
        assertEquals(5, o.connections().keepAlive().toSeconds());
    }

    @Test
    void jvmOptionsForTheLauncher() {
        CommandLine cli = PagodaCli.commandLine();
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        assertEquals(0, cli.execute("jvm-options", "serve", "--model", "llama3-8b", "--load-format", "dummy", "--max-num-seqs", "8"));
        String line = out.toString().strip();
        assertTrue(line.matches("-Xmx\\d+m -XX:MaxDirectMemorySize=\\d+m .*"), line);
    }

    /** The plan's terms, computed by hand for Llama-3-8B's shape on the CPU and on a GPU. */
    @Test
    void heapFollowsTheModelAndTheLimits() {
        ModelSpec llama = BuiltinShapes.byName("llama3-8b");
        EngineConfig cpu = EngineConfig.builder("llama3-8b").loadFormat(LoadFormat.DUMMY).maxModelLen(4096).maxNumSeqs(16)
                .device("cpu").kvCacheMemoryBytes(1L << 30).build();
        ServerOptions server = ServerOptions.local();
        JvmMemory plan = JvmMemory.forServe(cpu, server, Optional.of(llama));
        long kvTokens = (1L << 30) / (2L * 32 * 8 * 128 * 4); // F32 K and V of every layer: 256 KiB a token
        long tokens = Math.min(16L * 4096, kvTokens) + 64L * 4096;
        long expected = (768L << 20) + 3 * server.requests().bodyBudgetBytes() + 64 * tokens + 256L * llama.vocabSize();
        assertEquals(roundUp(expected), plan.heapBytes());
        assertEquals(roundUp((64L << 20) + 64 * 1024L * 1024), plan.directBytes());
        EngineConfig gpu = cpu.toBuilder().device("cuda").build();
        long gpuTokens = 16L * 4096 + 64L * 4096;
        assertEquals(roundUp((768L << 20) + 3 * server.requests().bodyBudgetBytes() + 64 * gpuTokens + 256L * llama.vocabSize()),
                JvmMemory.forServe(gpu, server, Optional.of(llama)).heapBytes());
    }

    private static long roundUp(long bytes) {
        long unit = 64L << 20;
        return (bytes + unit - 1) / unit * unit;
    }
}
