package dev.pagoda.webapi.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.catalog.tokenizer.Tokenizer;
import dev.pagoda.webapi.server.ServerOptions;
import dev.pagoda.webapi.testing.FakeEngine;
import dev.pagoda.webapi.testing.FixtureModel;
import dev.pagoda.webapi.testing.Http;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code pagoda serve}: vLLM's flags reach the engine and the server, and the started server answers. */
class ServeCommandTest {

    @Test
    void vllmFlagsAreParsed() {
        ServeCommand cmd = new ServeCommand(flags -> { throw new AssertionError("not started"); });
        new CommandLine(cmd).parseArgs("--model", "/models/qwen", "--served-model-name", "qwen", "--host", "127.0.0.1",
                "--port", "8123", "--api-key", "k", "--max-model-len", "4096", "--block-size", "32", "--max-num-seqs", "64",
                "--max-num-batched-tokens", "8192", "--gpu-memory-utilization", "0.8", "--no-enable-prefix-caching",
                "--device", "cuda", "--allowed-origins", "http://a.test,http://b.test", "--load-format", "DUMMY");
        assertEquals(new EngineFlags("/models/qwen", "qwen", "dummy", 4096, 32, 64, 8192, 0.8, false, "cuda"), cmd.engineFlags());
        ServerOptions options = cmd.serverOptions();
        assertEquals("127.0.0.1", options.host());
        assertEquals(8123, options.port());
        assertEquals("k", options.apiKey().orElseThrow());
        assertEquals(List.of("http://a.test", "http://b.test"), options.allowedOrigins());
        assertTrue(options.chatTemplate().isEmpty());
    }

    @Test
    void vllmDefaults() {
        ServeCommand cmd = new ServeCommand(flags -> { throw new AssertionError("not started"); });
        new CommandLine(cmd).parseArgs();
        assertEquals(new EngineFlags(null, null, "auto", null, null, null, null, null, true, "cpu"), cmd.engineFlags());
        assertEquals(8000, cmd.serverOptions().port());
        assertEquals("0.0.0.0", cmd.serverOptions().host());
    }

    @Test
    void startsTheServerWithTheChatTemplateGiven() {
        AtomicReference<EngineFlags> seen = new AtomicReference<>();
        FakeEngine engine = new FakeEngine(FixtureModel.info(), 4, 4, Duration.ofMillis(1));
        ServeCommand cmd = new ServeCommand(flags -> {
            seen.set(flags);
            return engine;
        });
        String template = "{% for m in messages %}[{{ m['role'] }}]{{ m['content'] }}{% endfor %}";
        new CommandLine(cmd).parseArgs("--host", "127.0.0.1", "--port", "0", "--served-model-name", "x",
                "--chat-template", template);
        StringWriter log = new StringWriter();
        try (ServeCommand.Running running = cmd.start(new PrintWriter(log))) {
            assertEquals("x", seen.get().servedModelName());
            assertTrue(log.toString().contains("Maximum concurrency for " + FixtureModel.MAX_MODEL_LEN + " tokens per request: "
                    + String.format("%.2fx", FixtureModel.NUM_BLOCKS * FixtureModel.BLOCK_SIZE / (double) FixtureModel.MAX_MODEL_LEN)),
                    log.toString());
            Http http = new Http(URI.create("http://127.0.0.1:" + running.server().port()), null);
            assertEquals(200, http.get("/health").status());
            JsonNode tokens = http.post("/tokenize", "{\"messages\":[{\"role\":\"user\",\"content\":\"hello\"},"
                    + "{\"role\":\"assistant\",\"content\":\"hi\"}]}").json();
            Tokenizer tokenizer = engine.model().tokenizer().orElseThrow();
            int[] expected = tokenizer.encode("[user]hello[assistant]hi", false);
            int[] got = new int[tokens.get("tokens").size()];
            for (int i = 0; i < got.length; i++) got[i] = tokens.get("tokens").get(i).asInt();
            assertArrayEquals(expected, got, "the --chat-template, not the model's, rendered the prompt");
            assertNotEquals(tokenizer.bosTokenId().orElseThrow(), got[0], "this template writes no BOS, and none is added");
        }
    }
}
