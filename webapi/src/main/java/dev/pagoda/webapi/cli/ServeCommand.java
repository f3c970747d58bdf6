package dev.pagoda.webapi.cli;

import dev.pagoda.catalog.chat.ChatTemplate;
import dev.pagoda.catalog.chat.ChatTemplates;
import dev.pagoda.engine.api.InferenceEngine;
import dev.pagoda.engine.api.ModelInfo;
import dev.pagoda.webapi.server.PagodaServer;
import dev.pagoda.webapi.server.ServerOptions;
import dev.pagoda.webapi.server.connection.ConnectionLimits;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pagoda serve}: the OpenAI-compatible server, with vLLM's flag names so a vLLM command line
 * carries over. Starts the engine, logs the KV capacity as vLLM does, serves until the process is
 * stopped (the shutdown hook stops the server, then the engine).
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Serve a model over the OpenAI API (vLLM-compatible flags).")
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", description = "Model folder (HF layout), .gguf file or built-in shape name. Default: the embedded model.")
    String model;

    @Option(names = "--served-model-name", description = "Name clients use in 'model'. Default: the model's folder/file name.")
    String servedModelName;

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

    @Option(names = "--max-model-len", description = "Longest prompt + completion. Default: the model's.")
    Integer maxModelLen;

    @Option(names = "--block-size", description = "Tokens per KV-cache block.")
    Integer blockSize;

    @Option(names = "--max-num-seqs", description = "Most sequences in one step.")
    Integer maxNumSeqs;

    @Option(names = "--max-num-batched-tokens", description = "Most tokens in one step.")
    Integer maxNumBatchedTokens;

    @Option(names = "--gpu-memory-utilization", description = "Share of GPU memory to use, (0, 1].")
    Double gpuMemoryUtilization;

    @Option(names = "--enable-prefix-caching", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Reuse the KV blocks of shared prompt prefixes. Default: on.")
    boolean enablePrefixCaching;

    @Option(names = "--async-scheduling", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "On a GPU, schedule the next step while the current one runs. Default: on.")
    boolean asyncScheduling;

    @Option(names = "--device", defaultValue = "auto", description = "auto (CUDA when a usable GPU is present, else the CPU), cpu, cuda or cuda:N. Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--kv-cache-memory", description = "Bytes of KV cache on the CPU. Default: 4 GiB, as vLLM's VLLM_CPU_KVCACHE_SPACE.")
    Long kvCacheMemoryBytes;

    @Option(names = "--chat-template", description = "A chat template file, or the template text itself; replaces the model's.")
    String chatTemplate;

    @Option(names = "--allowed-origins", description = "CORS origins allowed to call the API: a comma list or vLLM's JSON "
            + "list ('[\"http://a\", \"http://b\"]'); '*' for any origin (then without credentials).")
    List<String> allowedOrigins = List.of();

    @Option(names = "--load-format", defaultValue = "auto", description = "auto, or dummy for random weights of the model's shape.")
    String loadFormat;

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
     * Starts the engine and the server, logs what vLLM logs at start. A port already taken fails
     * here, before the model is loaded, with one line naming it.
     */
    Running start(PrintWriter log, Consumer<String> onListenerLost) {
        ServerOptions options = serverOptions();
        PagodaServer.checkCanListen(options.host(), options.port());
        InferenceEngine engine = launcher.start(engineFlags());
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

    EngineFlags engineFlags() {
        return new EngineFlags(model, servedModelName, loadFormat.toLowerCase(Locale.ROOT), maxModelLen, blockSize,
                maxNumSeqs, maxNumBatchedTokens, gpuMemoryUtilization, enablePrefixCaching, device, kvCacheMemoryBytes,
                asyncScheduling);
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
                        .withKeepAlive(Duration.ofSeconds(keepAliveSeconds)));
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
        out.printf(Locale.ROOT, "Serving %s (%s, %s on %s)%n", model.servedName(), model.source(), model.weightDtype(), model.device());
        out.printf(Locale.ROOT, "KV cache: %d blocks of %d tokens = %d tokens%n", cache.numBlocks(), cache.blockSize(),
                (long) cache.numBlocks() * cache.blockSize());
        out.printf(Locale.ROOT, "Maximum concurrency for %d tokens per request: %.2fx%n", model.maxModelLen(), cache.maxConcurrency());
        out.printf(Locale.ROOT, "OpenAI-compatible server listening on port %d%n", port);
        out.flush();
    }
}
