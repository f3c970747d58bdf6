package dev.pagoda.webapi.server;

import dev.pagoda.engine.api.InferenceEngine;
import dev.pagoda.webapi.metrics.MetricsService;
import dev.pagoda.webapi.metrics.VllmMetrics;
import dev.pagoda.webapi.openai.OpenAiService;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The OpenAI-compatible HTTP server over any {@link InferenceEngine}. {@link #routing} is the one
 * place routes, filters and error handling are put together; {@link #start} and the tests both use it.
 */
public final class PagodaServer implements AutoCloseable {

    private final WebServer server;

    private PagodaServer(WebServer server) {
        this.server = server;
    }

    /** Starts listening; the engine stays the caller's to close. */
    public static PagodaServer start(InferenceEngine engine, ServerOptions options) {
        WebServer server = WebServer.builder()
                .host(options.host())
                .port(options.port())
                .routing(r -> routing(r, engine, options))
                .build()
                .start();
        return new PagodaServer(server);
    }

    /** Every route, filter and error handler, for {@code engine} under {@code options}. */
    public static void routing(HttpRouting.Builder routing, InferenceEngine engine, ServerOptions options) {
        if (!options.allowedOrigins().isEmpty()) routing.addFilter(new CorsFilter(options.allowedOrigins()));
        options.apiKey().ifPresent(key -> routing.addFilter(new ApiKeyFilter(key)));
        VllmMetrics metrics = new VllmMetrics(engine);
        JsonBody body = new JsonBody(options.maxRequestBytes());
        routing.register(new OpenAiService(engine, metrics, body, options.chatTemplate(), options.toolParsing()))
                .register(new MetricsService(metrics))
                .register(new HealthService(version()))
                .any(PagodaServer::unknownRoute);
        ErrorHandlers.register(routing);
    }

    /** Last in the routing: what no route took gets OpenAI's JSON 404, not the server's plain-text one. */
    private static void unknownRoute(ServerRequest req, ServerResponse res) {
        throw new ApiException(404, new OpenAiError("Invalid URL (" + req.prologue().method().text() + " "
                + req.path().path() + ")", OpenAiError.INVALID_REQUEST, null, null));
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
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
