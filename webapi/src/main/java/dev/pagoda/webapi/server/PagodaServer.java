package dev.pagoda.webapi.server;

import dev.pagoda.engine.api.InferenceEngine;
import dev.pagoda.webapi.metrics.MetricsService;
import dev.pagoda.webapi.metrics.VllmMetrics;
import dev.pagoda.webapi.openai.OpenAiService;
import dev.pagoda.webapi.server.connection.ConnectionGuard;
import dev.pagoda.webapi.server.connection.ConnectionLimits;
import dev.pagoda.webapi.server.connection.FileDescriptors;
import dev.pagoda.webapi.server.connection.ListenerWatchdog;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.http1.Http1Config;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The OpenAI-compatible HTTP server over any {@link InferenceEngine}. {@link #routing} is the one
 * place routes, filters and error handling are put together; {@link #start} and the tests both use
 * it. {@link #start} also puts the {@link ConnectionGuard} on the listener (connection limit,
 * timeouts, HTTP/1.0, {@code Connection: close}) and a {@link ListenerWatchdog} beside it.
 */
public final class PagodaServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PagodaServer.class.getName());
    private static final Duration WATCHDOG_PERIOD = Duration.ofSeconds(2);

    private final WebServer server;
    private final ConnectionGuard guard;
    private final ListenerWatchdog watchdog;

    private PagodaServer(WebServer server, ConnectionGuard guard, ListenerWatchdog watchdog) {
        this.server = server;
        this.guard = guard;
        this.watchdog = watchdog;
    }

    /** What {@link #routing} shares with the listener: fault counts, the guard's filter, the health state. */
    record Parts(ClientFaults faults, Optional<ConnectionGuard> guard, Health health) {}

    /** Why the server cannot serve any more, once it cannot; {@code /health} answers 503 from then on. */
    static final class Health {
        private final AtomicReference<String> failure = new AtomicReference<>();

        Optional<String> failure() {
            return Optional.ofNullable(failure.get());
        }

        void fail(String why) {
            failure.compareAndSet(null, why);
        }
    }

    /** Starts listening; a listener that stops accepting is logged. The engine stays the caller's to close. */
    public static PagodaServer start(InferenceEngine engine, ServerOptions options) {
        return start(engine, options, reason -> LOG.log(System.Logger.Level.ERROR, reason));
    }

    /**
     * Starts listening. {@code onListenerLost} is told, once, if the listener ever stops accepting
     * connections (the serve command exits so a supervisor restarts it).
     *
     * @throws IllegalStateException "cannot listen on host:port: reason" when the address cannot be bound
     */
    public static PagodaServer start(InferenceEngine engine, ServerOptions options, Consumer<String> onListenerLost) {
        checkCanListen(options.host(), options.port());
        ClientFaults faults = new ClientFaults();
        Health health = new Health();
        ConnectionLimits limits = FileDescriptors.fit(options.connections(), w -> LOG.log(System.Logger.Level.WARNING, w));
        ConnectionGuard guard = new ConnectionGuard(limits, http1(), faults);
        Parts parts = new Parts(faults, Optional.of(guard), health);
        WebServer server;
        try {
            server = WebServer.builder()
                    .host(options.host())
                    .port(options.port())
                    .update(guard::configure)
                    .maxPayloadSize(options.maxRequestBytes())
                    .directHandlers(DirectErrors.handlers(faults, options.maxRequestBytes()))
                    .routing(r -> routing(r, engine, options, parts))
                    .build()
                    .start();
        } catch (RuntimeException e) {
            guard.close();
            throw new IllegalStateException(cannotListen(options.host(), options.port(), rootMessage(e)), e);
        }
        if (!server.isRunning() || server.port() < 0) {
            // Helidon logs a failed bind and returns a stopped server instead of throwing.
            guard.close();
            throw new IllegalStateException(cannotListen(options.host(), options.port(),
                    bindProblem(options.host(), options.port()).orElse("the server did not start (see the log)")));
        }
        ListenerWatchdog watchdog = new ListenerWatchdog(options.host(), server.port(), WATCHDOG_PERIOD, reason -> {
            health.fail(reason);
            onListenerLost.accept(reason);
        });
        return new PagodaServer(server, guard, watchdog);
    }

    /**
     * HTTP/1 as Helidon parses it, the limits spelled out: 4 KiB request line, 16 KiB of headers, and
     * no {@code 100 Continue} until a handler reads the body, so a request refused before that (no
     * key, too large) never invites its body.
     */
    static Http1Config http1() {
        return Http1Config.builder()
                .maxPrologueLength(4096)
                .maxHeadersSize(16 * 1024)
                .continueImmediately(false)
                .validatePath(true)
                .build();
    }

    /** Every route, filter and error handler, for {@code engine} under {@code options}. */
    public static void routing(HttpRouting.Builder routing, InferenceEngine engine, ServerOptions options) {
        routing(routing, engine, options, new Parts(new ClientFaults(), Optional.empty(), new Health()));
    }

    static void routing(HttpRouting.Builder routing, InferenceEngine engine, ServerOptions options, Parts parts) {
        parts.guard().ifPresent(g -> routing.addFilter(g.filter()));
        ServerOptions.Access access = options.access();
        if (!access.allowedHosts().isEmpty()) routing.addFilter(new HostFilter(access.allowedHosts()));
        if (!access.allowedOrigins().isEmpty()) routing.addFilter(new CorsFilter(access.allowedOrigins()));
        if (!access.apiKeys().isEmpty()) routing.addFilter(new ApiKeyFilter(access.apiKeys(), access.metricsWithoutKey()));
        VllmMetrics metrics = new VllmMetrics(engine);
        registerServerMetrics(metrics, parts);
        JsonBody body = new JsonBody(options.requests());
        TokenizerGate tokenizers = TokenizerGate.of(engine.model(), options.requests().tokenizerConcurrency());
        routing.register(new OpenAiService(engine, metrics, body, tokenizers, options.chatTemplate(), options.toolParsing()))
                .register(new MetricsService(metrics))
                .register(new HealthService(version(), parts.health()::failure))
                .any(PagodaServer::unknownRoute);
        new ErrorHandlers(parts.faults()).register(routing);
    }

    private static void registerServerMetrics(VllmMetrics metrics, Parts parts) {
        metrics.register(parts.faults().counter());
        parts.guard().ifPresent(g -> {
            metrics.register(GaugeWithCallback.builder().name("pagoda:http_connections")
                    .help("Open HTTP connections.")
                    .callback(cb -> cb.call(g.openConnections())).build());
            metrics.register(CounterWithCallback.builder().name("pagoda:http_connections_closed_idle")
                    .help("Connections closed by the server while idle: after the keep-alive timeout (idle), or early "
                            + "to make room at the connection limit (evicted).")
                    .labelNames("reason")
                    .callback(cb -> {
                        cb.call(g.closedIdle(), "idle");
                        cb.call(g.evicted(), "evicted");
                    }).build());
        });
    }

    /** Last in the routing: what no route took gets OpenAI's JSON 404, not the server's plain-text one. */
    private static void unknownRoute(ServerRequest req, ServerResponse res) {
        throw new ApiException(404, new OpenAiError("Invalid URL (" + req.prologue().method().text() + " "
                + ApiException.quote(req.path().path()) + ")", OpenAiError.INVALID_REQUEST, null, "unknown_url"));
    }

    /**
     * Fails at once, before anything slow starts, when {@code host:port} cannot be bound.
     *
     * @throws IllegalStateException "cannot listen on host:port: reason"
     */
    public static void checkCanListen(String host, int port) {
        bindProblem(host, port).ifPresent(reason -> {
            throw new IllegalStateException(cannotListen(host, port, reason));
        });
    }

    /** Why {@code host:port} cannot be bound now, if it cannot; port 0 always can. */
    public static Optional<String> bindProblem(String host, int port) {
        if (port == 0) return Optional.empty();
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true); // as the HTTP server binds: a port in TIME_WAIT is fine
            socket.bind(new InetSocketAddress(host, port));
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.of(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    private static String cannotListen(String host, int port, String reason) {
        return "cannot listen on " + host + ":" + port + ": " + reason;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    public int port() {
        return server.port();
    }

    /** Open connections (for tests and the panel). */
    public int openConnections() {
        return guard.openConnections();
    }

    @Override
    public void close() {
        watchdog.close();
        try {
            server.stop();
        } finally {
            guard.close();
        }
    }

    /** The build's version, from the filtered resource the CLI also reads. */
    public static String version() {
        try (InputStream in = PagodaServer.class.getResourceAsStream("/dev/pagoda/webapi/version.properties")) {
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
