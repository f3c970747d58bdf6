package dev.pagoda.gui.server;

import dev.pagoda.engine.api.InferenceEngine;
import dev.pagoda.engine.core.EngineConfig;
import dev.pagoda.webapi.server.PagodaServer;
import dev.pagoda.webapi.server.ServerOptions;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The engine and the OpenAI server the panel runs in its own JVM. Plain Java and thread-safe: the
 * GUI calls {@link #start} from a background task and {@link #stop} from wherever the window closes.
 */
public final class EmbeddedServer implements AutoCloseable {

    /** A started engine plus the server listening over it. */
    public record Running(InferenceEngine engine, PagodaServer server, String url) {}

    private final Function<EngineConfig, InferenceEngine> engines;
    private final BiFunction<InferenceEngine, ServerOptions, PagodaServer> servers;
    private Running running;

    /**
     * @param engines starts an engine, e.g. {@code LocalEngine::start}
     * @param servers starts the HTTP server over an engine, e.g. {@code PagodaServer::start}
     */
    public EmbeddedServer(Function<EngineConfig, InferenceEngine> engines,
                          BiFunction<InferenceEngine, ServerOptions, PagodaServer> servers) {
        this.engines = engines;
        this.servers = servers;
    }

    /** Where a start is: stage {@code done} of {@code total}, and what it is doing. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (message, done, total) -> {};

        void stage(String message, int done, int total);
    }

    /** Loads the engine (slow: the model is read) and binds the port; on any failure nothing is left running. */
    public Running start(ServerSettings settings) {
        return start(settings, Progress.NONE);
    }

    /** As {@link #start(ServerSettings)}, reporting each stage to {@code progress} on the calling thread. */
    public synchronized Running start(ServerSettings settings, Progress progress) {
        if (running != null) throw new IllegalStateException("the server is already running at " + running.url());
        EngineConfig config = settings.engineConfig();
        ServerOptions options = settings.serverOptions();
        // Fail before the slow model load when the port is plainly taken.
        progress.stage("checking port " + options.port(), 0, 3);
        PagodaServer.bindProblem(options.host(), options.port()).ifPresent(reason -> {
            throw new IllegalStateException(cannotListen(options, reason));
        });
        progress.stage("loading " + (config.model() == null ? "the default model" : config.model()), 1, 3);
        InferenceEngine engine = engines.apply(config);
        try {
            progress.stage("starting the HTTP server", 2, 3);
            PagodaServer server = servers.apply(engine, options);
            if (server.port() <= 0) {
                // Helidon logs a failed bind and returns a stopped server instead of throwing.
                server.close();
                throw new IllegalStateException(cannotListen(options,
                        PagodaServer.bindProblem(options.host(), options.port()).orElse("the server did not start (see the log)")));
            }
            running = new Running(engine, server, url(options.host(), server.port()));
            progress.stage("serving at " + running.url(), 3, 3);
            return running;
        } catch (RuntimeException e) {
            engine.close();
            if (e instanceof IllegalStateException) throw e;
            throw new IllegalStateException(cannotListen(options, rootMessage(e)), e);
        }
    }

    private static String cannotListen(ServerOptions options, String reason) {
        return "cannot listen on " + options.host() + ":" + options.port() + ": " + reason;
    }

    public synchronized Optional<Running> running() {
        return Optional.ofNullable(running);
    }

    /** Stops the server first (no new requests), then the engine; a no-op when stopped. */
    public synchronized void stop() {
        if (running == null) return;
        Running r = running;
        running = null;
        try {
            r.server().close();
        } finally {
            r.engine().close();
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** A client cannot connect to the wildcard address; it means "this machine" there. */
    static String url(String host, int port) {
        String h = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        if (h.contains(":")) h = "[" + h + "]";
        return "http://" + h + ":" + port + "/v1";
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
