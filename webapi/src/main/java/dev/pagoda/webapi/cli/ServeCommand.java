package dev.pagoda.webapi.cli;

import dev.pagoda.catalog.chat.ChatTemplate;
import dev.pagoda.catalog.chat.ChatTemplates;
import dev.pagoda.engine.api.InferenceEngine;
import dev.pagoda.engine.api.ModelInfo;
import dev.pagoda.engine.core.EngineConfig;
import dev.pagoda.webapi.openai.tools.ToolParsing;
import dev.pagoda.webapi.server.PagodaServer;
import dev.pagoda.webapi.server.ServerOptions;
import dev.pagoda.webapi.server.connection.ConnectionLimits;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pagoda serve [MODEL]}: the OpenAI-compatible server, as {@code vllm serve}: the model
 * positional or as {@code --model}, vLLM's flag names ({@link EngineOptions} for the engine's) so
 * a vLLM command line carries over. Starts the engine, logs the KV capacity as vLLM does, serves
 * until the process is stopped (the shutdown hook stops the server, then the engine).
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Serve a model over the OpenAI API (vLLM-compatible flags).")
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL",
            description = "A model folder, a .gguf file, a Hugging Face repo id ORG/NAME[@REVISION] in the local hub cache, "
                    + "or with --load-format dummy a built-in shape; as --model. Default: the embedded model.")
    String positionalModel;

    @Mixin
    EngineOptions engine;

    @Option(names = "--served-model-name", arity = "1..*", paramLabel = "NAME",
            description = "Names clients may use in 'model' (several allowed; responses report the first). Default: the "
                    + "model's folder or file name, or its repo id.")
    List<String> servedModelNames = List.of();

    @Option(names = "--host", defaultValue = "0.0.0.0", description = "Interface to listen on. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--port", defaultValue = "8000", description = "Port. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--api-key", description = "Require 'Authorization: Bearer KEY' on every route but /health; repeat "
            + "for several keys. Also read from VLLM_API_KEY.")
    List<String> apiKeys = List.of();

    @Option(names = "--metrics-without-key", description = "Serve /metrics without the API key (for a scraper that cannot send one).")
    boolean metricsWithoutKey;

    @Option(names = "--allowed-hosts", description = "Host names the Host header may carry (comma list or JSON list; "
            + "'.example.com' for a domain and its subdomains). Default: any (no check).")
    List<String> allowedHosts = List.of();

    @Option(names = "--max-connections", defaultValue = "1024", description = "Open HTTP connections at most; more wait to "
            + "be accepted. Default: ${DEFAULT-VALUE}.")
    int maxConnections;

    @Option(names = "--timeout-keep-alive", defaultValue = "30", description = "Seconds an idle keep-alive connection is "
            + "kept. Default: ${DEFAULT-VALUE}.")
    int keepAliveSeconds;

    @Option(names = "--chat-template", description = "A chat template file, or the template text itself; replaces the model's.")
    String chatTemplate;

    @Option(names = "--allowed-origins", description = "CORS origins allowed to call the API: a comma list or vLLM's JSON "
            + "list ('[\"http://a\", \"http://b\"]'); '*' for any origin (then without credentials).")
    List<String> allowedOrigins = List.of();

    @Option(names = "--enable-auto-tool-choice", description = "Let the model call tools on its own (tool_choice \"auto\"); needs --tool-call-parser.")
    boolean enableAutoToolChoice;

    @Option(names = "--tool-call-parser", paramLabel = "NAME", description = "How the model writes tool calls: hermes (Qwen2.5, Qwen3), llama3_json (Llama 3.1/3.2), mistral.")
    String toolCallParser;

    @Option(names = "--reasoning-parser", paramLabel = "NAME", description = "Return the model's <think> block as reasoning_content: qwen3, deepseek_r1.")
    String reasoningParser;

    private final EngineLauncher launcher;

    ServeCommand() {
        this(EngineLauncher.local());
    }

    ServeCommand(EngineLauncher launcher) {
        this.launcher = launcher;
    }

    /**
     * Serves until the process is stopped (0) or the listener stops accepting (1, after one line on
     * standard error), so a supervisor sees a dead server exit rather than a live one refusing
     * every connection.
     */
    @Override
    public Integer call() throws InterruptedException, ExecutionException {
        CompletableFuture<Integer> exitCode = new CompletableFuture<>();
        PrintWriter err = spec.commandLine().getErr();
        Running running = start(spec.commandLine().getOut(), reason -> {
            err.println("pagoda: " + reason + "; exiting");
            err.flush();
            exitCode.complete(1);
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.close();
            exitCode.complete(0);
        }, "pagoda-shutdown"));
        return exitCode.get();
    }

    /** A started engine and the server in front of it; closing stops the server first, then the engine. */
    record Running(InferenceEngine engine, PagodaServer server) implements AutoCloseable {
        @Override
        public void close() {
            server.close();
            engine.close();
        }
    }

    /** Starts the engine and the server and logs what vLLM logs at start. */
    Running start(PrintWriter log) {
        return start(log, reason -> {});
    }

    /**
     * Starts the engine and the server, logs what vLLM logs at start. A bad server flag, or a port
     * already taken, fails here, before minutes of loading the model, with one line naming it.
     */
    Running start(PrintWriter log, Consumer<String> onListenerLost) {
        ServerOptions options = serverOptions();
        PagodaServer.checkCanListen(options.host(), options.port());
        InferenceEngine engine = launcher.start(engineConfig());
        PagodaServer server;
        try {
            server = PagodaServer.start(engine, options, onListenerLost);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        logStartup(engine.model(), server.port(), log);
        options.exposureWarning(server.port()).ifPresent(log::println);
        log.flush();
        return new Running(engine, server);
    }

    /** What the engine is started with. @throws IllegalArgumentException naming the flag at fault */
    EngineConfig engineConfig() {
        return engine.toConfig(model()).servedModelNames(servedModelNames).build();
    }

    /** MODEL or --model (vllm serve takes either); both, naming different models, is a mistake worth a line. */
    String model() {
        String flag = engine.model();
        if (positionalModel != null && flag != null && !positionalModel.equals(flag)) {
            throw new IllegalArgumentException("the model is given twice and differs: MODEL " + positionalModel + " and --model "
                    + flag + "; give one");
        }
        return positionalModel != null ? positionalModel : flag;
    }

    ServerOptions serverOptions() {
        List<String> keys = apiKeys.isEmpty() && System.getenv("VLLM_API_KEY") != null
                ? List.of(System.getenv("VLLM_API_KEY")) : apiKeys;
        ServerOptions options = ServerOptions.local().withAddress(host, port)
                .withApiKeys(keys)
                .withMetricsWithoutKey(metricsWithoutKey)
                .withAllowedOrigins(OptionLists.parse("--allowed-origins", allowedOrigins))
                .withAllowedHosts(OptionLists.parse("--allowed-hosts", allowedHosts))
                .withConnections(ConnectionLimits.DEFAULTS.withMaxConnections(maxConnections)
                        .withKeepAlive(Duration.ofSeconds(keepAliveSeconds)))
                .withToolParsing(new ToolParsing(enableAutoToolChoice, Optional.ofNullable(toolCallParser), Optional.ofNullable(reasoningParser)));
        return chatTemplate == null ? options : options.withChatTemplate(template(chatTemplate));
    }

    /** vLLM's rule: a path that exists is a file to read, anything else is the template itself. */
    private static ChatTemplate template(String value) {
        Path file = Path.of(value);
        try {
            if (Files.isRegularFile(file)) return ChatTemplates.fromFile(file);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--chat-template " + value + ": " + e.getMessage(), e);
        }
        try {
            return ChatTemplates.fromString(value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--chat-template is neither a file nor a valid template: " + e.getMessage(), e);
        }
    }

    /** What vLLM prints at start: the KV cache's size in tokens and how many full-length requests fit. */
    static void logStartup(ModelInfo model, int port, PrintWriter out) {
        ModelInfo.CacheInfo cache = model.cache();
        List<String> others = model.servedNames().subList(1, model.servedNames().size());
        String also = others.isEmpty() ? "" : "also " + String.join(", ", others) + "; ";
        out.printf(Locale.ROOT, "Serving %s (%s%s, %s on %s)%n", model.servedName(), also, model.source(), model.weightDtype(),
                model.device());
        out.printf(Locale.ROOT, "KV cache: %d blocks of %d tokens = %d tokens%n", cache.numBlocks(), cache.blockSize(),
                (long) cache.numBlocks() * cache.blockSize());
        out.printf(Locale.ROOT, "Maximum concurrency for %d tokens per request: %.2fx%n", model.maxModelLen(), cache.maxConcurrency());
        out.printf(Locale.ROOT, "OpenAI-compatible server listening on port %d%n", port);
        out.flush();
    }
}
