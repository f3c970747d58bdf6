package dev.pagoda.webapi.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.catalog.tokenizer.Tokenizer;
import dev.pagoda.webapi.server.ServerOptions;
import dev.pagoda.engine.api.ModelInfo;
import dev.pagoda.webapi.testing.RealEngines;
import dev.pagoda.webapi.testing.Http;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.util.List;
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
                "--device", "cuda", "--kv-cache-memory", "1048576", "--no-async-scheduling", "--allowed-origins", "http://a.test,http://b.test", "--load-format", "DUMMY");
        assertEquals(new EngineFlags("/models/qwen", "qwen", "dummy", 4096, 32, 64, 8192, 0.8, false, "cuda", 1048576L, false), cmd.engineFlags());
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
        assertEquals(new EngineFlags(null, null, "auto", null, null, null, null, null, true, "auto", null, true), cmd.engineFlags());
        assertEquals(8000, cmd.serverOptions().port());
        assertEquals("0.0.0.0", cmd.serverOptions().host());
    }

    @Test
    void startsTheLocalEngineAndServesWithTheChatTemplateGiven() {
        ServeCommand cmd = new ServeCommand(EngineLauncher.local());
        String template = "{% for m in messages %}[{{ m['role'] }}]{{ m['content'] }}{% endfor %}";
        new CommandLine(cmd).parseArgs("--model", RealEngines.fixtureFolder().toString(), "--served-model-name", "x",
                "--host", "127.0.0.1", "--port", "0", "--max-model-len", "256", "--block-size", "16",
                "--kv-cache-memory", Long.toString(RealEngines.KV_BYTES), "--chat-template", template);
        StringWriter log = new StringWriter();
        try (ServeCommand.Running running = cmd.start(new PrintWriter(log))) {
            ModelInfo model = running.engine().model();
            assertEquals("x", model.servedName());
            assertEquals(256, model.maxModelLen());
            assertEquals(16, model.cache().blockSize());
            assertEquals(model.cache().numBlocks() * 16 / 256.0, model.cache().maxConcurrency(), 1e-9,
                    "sequences of max-model-len that fit the blocks");
            assertTrue(log.toString().contains(String.format("Maximum concurrency for 256 tokens per request: %.2fx",
                    model.cache().maxConcurrency())), log.toString());

            Http http = new Http(URI.create("http://127.0.0.1:" + running.server().port()), null);
            assertEquals(200, http.get("/health").status());
            JsonNode tokens = http.post("/tokenize", "{\"messages\":[{\"role\":\"user\",\"content\":\"hello\"},"
                    + "{\"role\":\"assistant\",\"content\":\"hi\"}]}").json();
            Tokenizer tokenizer = model.tokenizer().orElseThrow();
            int[] expected = tokenizer.encode("[user]hello[assistant]hi", false);
            int[] got = new int[tokens.get("tokens").size()];
            for (int i = 0; i < got.length; i++) got[i] = tokens.get("tokens").get(i).asInt();
            assertArrayEquals(expected, got, "the --chat-template, not the model's, rendered the prompt");
            assertNotEquals(tokenizer.bosTokenId().orElseThrow(), got[0], "this template writes no BOS, and none is added");
            JsonNode reply = http.post("/v1/chat/completions", "{\"model\":\"x\",\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"hello\"}],\"max_tokens\":3,\"ignore_eos\":true}").json();
            assertEquals(3, reply.at("/usage/completion_tokens").asInt(), reply.toString());
        }
    }

    @Test
    void noModelServesTheEmbeddedDefaultModel() {
        assertArrayEquals(new String[] {"serve"}, PagodaCli.withDefaultSubcommand(new String[0]), "plain `pagoda` serves");
        ServeCommand cmd = new ServeCommand();
        new CommandLine(cmd).parseArgs();
        try (var engine = EngineLauncher.local().start(cmd.engineFlags())) {
            assertEquals(dev.pagoda.catalog.demo.DemoModels.MAIN, engine.model().servedName());
            assertTrue(engine.model().chatTemplates().isPresent(), "the default model ships a chat template");
        }
    }
}
