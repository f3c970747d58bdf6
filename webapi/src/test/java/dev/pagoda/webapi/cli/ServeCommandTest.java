package dev.pagoda.webapi.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.catalog.tokenizer.Tokenizer;
import dev.pagoda.engine.api.ModelInfo;
import dev.pagoda.engine.core.EngineConfig;
import dev.pagoda.engine.load.LoadFormat;
import dev.pagoda.engine.sched.SchedulingPolicy;
import dev.pagoda.webapi.server.ServerOptions;
import dev.pagoda.webapi.testing.RealEngines;
import dev.pagoda.webapi.testing.Http;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code pagoda serve}: vLLM's command line reaches the engine and the server, and the started server answers. */
class ServeCommandTest {

    @TempDir
    Path dir;

    private static ServeCommand parsed(String... args) {
        ServeCommand cmd = new ServeCommand(config -> { throw new AssertionError("not started"); });
        new CommandLine(cmd).parseArgs(args);
        return cmd;
    }

    /** What {@code pagoda ARGS} prints on stderr and exits with; {@code serve} gets a launcher that records and stops. */
    private record Run(int exit, String err, List<EngineConfig> started) {}

    private static Run pagoda(String... args) {
        List<EngineConfig> started = new ArrayList<>();
        EngineLauncher recording = config -> {
            started.add(config);
            throw new IllegalArgumentException("stopped before loading");
        };
        CommandLine cli = PagodaCli.commandLine(new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                return cls == ServeCommand.class ? cls.cast(new ServeCommand(recording)) : CommandLine.defaultFactory().create(cls);
            }
        });
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        cli.setOut(new PrintWriter(new StringWriter()));
        return new Run(cli.execute(args), err.toString(), started);
    }

    @Test
    void vllmFlagsAreParsed() {
        ServeCommand cmd = parsed("Qwen/Qwen2.5-0.5B-Instruct", "--revision", "v1.0", "--download-dir", "/hub",
                "--served-model-name", "qwen", "qwen-mini", "--host", "127.0.0.1", "--port", "8123", "--api-key", "k",
                "--max-model-len", "4K", "--block-size", "32", "--max-num-seqs", "64", "--max-num-batched-tokens", "8192",
                "--gpu-memory-utilization", "0.8", "--no-enable-prefix-caching", "--no-enable-chunked-prefill", "--device", "cuda",
                "--kv-cache-memory", "1MiB", "--no-async-scheduling", "--allowed-origins", "http://a.test,http://b.test",
                "--load-format", "DUMMY", "--dtype", "bfloat16", "--seed", "7", "--generation-config", "vllm", "--threads", "3",
                "--tensor-parallel-size", "1", "--kv-cache-dtype", "auto", "--trust-remote-code",
                "--scheduling-policy", "priority", "--max-logprobs", "5");
        EngineConfig c = cmd.engineConfig();
        assertEquals("Qwen/Qwen2.5-0.5B-Instruct", c.model());
        assertEquals("v1.0", c.revision());
        assertEquals("/hub", c.downloadDir());
        assertEquals(List.of("qwen", "qwen-mini"), c.servedModelNames());
        assertEquals(4096, c.maxModelLen(), "4K is binary, as vLLM reads it");
        assertEquals(32, c.blockSize());
        assertEquals(64, c.maxNumSeqs());
        assertEquals(8192, c.maxNumBatchedTokens());
        assertEquals(0.8, c.gpuMemoryUtilization());
        assertEquals(false, c.enablePrefixCaching());
        assertEquals(false, c.enableChunkedPrefill());
        assertEquals("cuda", c.device());
        assertEquals(1L << 20, c.kvCacheMemoryBytes());
        assertEquals(false, c.asyncScheduling());
        assertEquals(LoadFormat.DUMMY, c.loadFormat());
        assertEquals("bfloat16", c.dtype());
        assertEquals(7, c.seed());
        assertEquals("vllm", c.generationConfig());
        assertEquals(3, c.cpuThreads());
        assertEquals(SchedulingPolicy.PRIORITY, c.schedulingPolicy());
        assertEquals(5, c.maxLogprobs());
        ServerOptions options = cmd.serverOptions();
        assertEquals("127.0.0.1", options.host());
        assertEquals(8123, options.port());
        assertEquals(List.of("k"), options.apiKeys());
        assertEquals(List.of("http://a.test", "http://b.test"), options.allowedOrigins());
        assertTrue(options.chatTemplate().isEmpty());
    }

    @Test
    void vllmDefaults() {
        ServeCommand cmd = parsed();
        EngineConfig c = cmd.engineConfig();
        EngineConfig builderDefaults = EngineConfig.builder(null).build();
        assertNull(c.model(), "no model: the embedded one");
        assertNull(c.revision());
        assertEquals(List.of(), c.servedModelNames());
        assertEquals("auto", c.device());
        assertEquals("auto", c.dtype());
        assertEquals("auto", c.generationConfig());
        assertEquals(0, c.seed(), "vLLM's V1 default seed");
        assertNull(c.maxModelLen());
        assertEquals(builderDefaults.blockSize(), c.blockSize());
        assertEquals(builderDefaults.maxNumSeqs(), c.maxNumSeqs());
        assertEquals(builderDefaults.kvCacheMemoryBytes(), c.kvCacheMemoryBytes());
        assertTrue(c.enablePrefixCaching() && c.enableChunkedPrefill() && c.asyncScheduling());
        assertEquals(SchedulingPolicy.FCFS, c.schedulingPolicy());
        assertEquals(20, c.maxLogprobs(), "vLLM's default --max-logprobs");
        assertEquals(8000, cmd.serverOptions().port());
        assertEquals("0.0.0.0", cmd.serverOptions().host());
    }

    @Test
    void theModelIsPositionalOrAFlagButNotTwoDifferentOnes() {
        assertEquals("a/b", parsed("a/b").engineConfig().model());
        assertEquals("a/b", parsed("--model", "a/b").engineConfig().model());
        assertEquals("a/b", parsed("a/b", "--model", "a/b").engineConfig().model(), "the same model twice is fine");
        Run twice = pagoda("serve", "org/one", "--model", "org/two");
        assertEquals(2, twice.exit());
        assertEquals("pagoda: the model is given twice and differs: MODEL org/one and --model org/two; give one\n", twice.err());
        assertTrue(twice.started().isEmpty());
    }

    @Test
    void vllmFlagsPagodaLacksAreNamedInOneLine() {
        Run quantization = pagoda("serve", "m", "--quantization", "fp8");
        assertEquals(2, quantization.exit());
        assertEquals("pagoda: Pagoda does not support --quantization yet (serve a quantized .gguf file (Q8_0, Q4_K, …) instead)"
                + " (see: pagoda serve --help)\n", quantization.err());
        for (String[] args : List.of(new String[] {"--speculative-config", "{\"method\":\"ngram\"}"}, new String[] {"--enable-lora"},
                new String[] {"--lora-modules=a=b"}, new String[] {"-O3"}, new String[] {"--enforce-eager"},
                new String[] {"--ssl-keyfile", "k.pem"}, new String[] {"--tokenizer", "t"}, new String[] {"-q", "awq"})) {
            List<String> line = new ArrayList<>(List.of("serve", "m"));
            line.addAll(List.of(args));
            Run r = pagoda(line.toArray(String[]::new));
            String flag = args[0].startsWith("--") ? args[0].replaceFirst("=.*", "") : args[0].substring(0, 2);
            assertEquals(2, r.exit(), r.err());
            assertTrue(r.err().startsWith("pagoda: Pagoda does not support " + flag + " yet ("), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
        }

        Run tp = pagoda("serve", "m", "-tp", "2");
        assertEquals("pagoda: Pagoda does not support --tensor-parallel-size 2 yet (it serves from one GPU)\n", tp.err());
        assertTrue(tp.started().isEmpty());
        Run kv = pagoda("serve", "m", "--kv-cache-dtype", "fp8");
        assertTrue(kv.err().startsWith("pagoda: Pagoda does not support --kv-cache-dtype fp8 yet"), kv.err());
        Run one = pagoda("serve", "m", "--tensor-parallel-size", "1", "--pipeline-parallel-size", "1");
        assertEquals("pagoda: stopped before loading\n", one.err(), "the default is accepted");
        assertEquals(1, one.started().size());

        Run unknown = pagoda("serve", "m", "--no-such-flag");
        assertEquals("pagoda: Unknown option: '--no-such-flag' (see: pagoda serve --help)\n", unknown.err());
        Run bench = pagoda("bench", "throughput", "--model", "m", "--speculative-config", "x");
        assertTrue(bench.err().startsWith("pagoda: Pagoda does not support --speculative-config yet"), bench.err());
        Run models = pagoda("models", "--quantization", "x");
        assertTrue(models.err().startsWith("pagoda: Unknown options: '--quantization', 'x'"),
                "only engine commands know vLLM's engine flags: " + models.err());
    }

    @Test
    void badValuesNameTheFlag() {
        assertEquals("pagoda: --dtype must be auto, float32, float16 or bfloat16, got 'int8'\n", pagoda("serve", "--dtype", "int8").err());
        assertTrue(pagoda("serve", "--max-model-len", "lots").err().startsWith("pagoda: Invalid value for option '--max-model-len'"));
        assertEquals(1000, new EngineOptions.TokenCount().convert("1k"));
        assertEquals(25_600, new EngineOptions.TokenCount().convert("25.6k"));
        assertEquals(1 << 20, new EngineOptions.TokenCount().convert("1M"));
        assertThrows(IllegalArgumentException.class, () -> new EngineOptions.TokenCount().convert("1.5"));
        assertThrows(IllegalArgumentException.class, () -> new EngineOptions.TokenCount().convert("3g"));
    }

    @Test
    void startsTheLocalEngineAndServesWithTheChatTemplateGiven() {
        ServeCommand cmd = new ServeCommand(EngineLauncher.local());
        String template = "{% for m in messages %}[{{ m['role'] }}]{{ m['content'] }}{% endfor %}";
        new CommandLine(cmd).parseArgs(RealEngines.fixtureFolder().toString(), "--served-model-name", "x",
                "--host", "127.0.0.1", "--port", "0", "--max-model-len", "256", "--block-size", "16",
                "--kv-cache-memory", Long.toString(RealEngines.KV_BYTES), "--threads", "2", "--chat-template", template);
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
    void everyServedNameAnswersAndTheFirstIsReported() {
        ServeCommand cmd = new ServeCommand(EngineLauncher.local());
        new CommandLine(cmd).parseArgs("--model", RealEngines.fixtureFolder().toString(), "--served-model-name", "first", "second",
                "--host", "127.0.0.1", "--port", "0", "--max-model-len", "128", "--kv-cache-memory", Long.toString(RealEngines.KV_BYTES),
                "--threads", "2");
        StringWriter log = new StringWriter();
        try (ServeCommand.Running running = cmd.start(new PrintWriter(log))) {
            Http http = new Http(URI.create("http://127.0.0.1:" + running.server().port()), null);
            JsonNode models = http.get("/v1/models").json();
            assertEquals(2, models.get("data").size(), models.toString());
            assertEquals("first", models.at("/data/0/id").asText());
            assertEquals("second", models.at("/data/1/id").asText());
            for (String name : List.of("first", "second")) {
                Http.Reply reply = http.post("/v1/completions", "{\"model\":\"" + name + "\",\"prompt\":\"hi\",\"max_tokens\":2}");
                assertEquals(200, reply.status(), reply.body());
                assertEquals("first", reply.json().get("model").asText(), "responses report the first name, as vLLM");
            }
            assertEquals(404, http.post("/v1/completions", "{\"model\":\"third\",\"prompt\":\"hi\",\"max_tokens\":2}").status());
            assertTrue(log.toString().startsWith("Serving first (also second; "), log.toString());
        }
    }

    @Test
    void generationConfigChoosesTheSamplingDefaults() throws Exception {
        // The fixture's generation_config.json says temperature 0.6, top_p 0.9; another folder says max_new_tokens 4.
        Path other = Files.createDirectories(dir.resolve("gen"));
        Files.writeString(other.resolve("generation_config.json"), "{\"max_new_tokens\": 4, \"eos_token_id\": 3}");
        String fixture = RealEngines.fixtureFolder().toString();
        try (var auto = EngineLauncher.local().start(RealEngines.config().build());
             var vllm = EngineLauncher.local().start(RealEngines.config().generationConfig("vllm").build());
             var folder = EngineLauncher.local().start(RealEngines.config().generationConfig(other.toString()).build())) {
            assertEquals(0.6, auto.model().generationDefaults().temperature());
            assertEquals(0.9, auto.model().generationDefaults().topP());
            assertNull(vllm.model().generationDefaults().temperature(), "vllm: the model's defaults are ignored");
            assertNull(vllm.model().generationDefaults().topP());
            assertEquals(auto.model().generationDefaults().eosTokenIds(), vllm.model().generationDefaults().eosTokenIds(),
                    "its eos ids still end generation");
            assertEquals(4, folder.model().generationDefaults().maxNewTokens());
            assertNull(folder.model().generationDefaults().temperature());
            assertEquals(List.of(3), folder.model().generationDefaults().eosTokenIds());
        }
        Run missing = pagoda("serve", fixture, "--generation-config", dir.resolve("nothing").toString());
        assertEquals(1, missing.started().size(), "checked when the model loads");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EngineLauncher.local()
                .start(RealEngines.config().generationConfig(dir.resolve("nothing").toString()).build()));
        assertTrue(e.getMessage().startsWith("--generation-config " + dir.resolve("nothing") + ": no generation_config.json there"),
                e.getMessage());
    }

    @Test
    void noModelServesTheEmbeddedDefaultModel() {
        assertArrayEquals(new String[] {"serve"}, PagodaCli.withDefaultSubcommand(new String[0]), "plain `pagoda` serves");
        ServeCommand cmd = new ServeCommand();
        new CommandLine(cmd).parseArgs();
        try (var engine = EngineLauncher.local().start(cmd.engineConfig())) {
            assertEquals(dev.pagoda.catalog.demo.DemoModels.MAIN, engine.model().servedName());
            assertTrue(engine.model().chatTemplates().isPresent(), "the default model ships a chat template");
        }
    }
}
