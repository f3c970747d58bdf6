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

    /** Loads the engine (slow: the model is read) and binds the port; on any failure nothing is left running. */
    public synchronized Running start(ServerSettings settings) {
        if (running != null) throw new IllegalStateException("the server is already running at " + running.url());
        EngineConfig config = settings.engineConfig();
        ServerOptions options = settings.serverOptions();
        InferenceEngine engine = engines.apply(config);
        try {
            PagodaServer server = servers.apply(engine, options);
            running = new Running(engine, server, url(options.host(), server.port()));
            return running;
        } catch (RuntimeException e) {
            engine.close();
            throw new IllegalStateException("cannot listen on " + options.host() + ":" + options.port() + ": "
                    + rootMessage(e), e);
        }
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
