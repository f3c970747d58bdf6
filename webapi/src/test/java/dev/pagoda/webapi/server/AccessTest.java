package dev.pagoda.webapi.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.webapi.testing.FakeEngine;
import dev.pagoda.webapi.testing.FixtureModel;
import dev.pagoda.webapi.testing.Http;
import dev.pagoda.webapi.testing.RawHttp;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Several API keys, /metrics with and without a key, the Host check, CORS "*" and the start-up warning. */
class AccessTest {

    private FakeEngine engine;
    private PagodaServer server;

    private URI start(UnaryOperator<ServerOptions> options) {
        engine = new FakeEngine(FixtureModel.info(), 4, 16, Duration.ofMillis(1));
        server = PagodaServer.start(engine, options.apply(ServerOptions.local()));
        return URI.create("http://127.0.0.1:" + server.port());
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
        if (engine != null) engine.close();
    }

    @Test
    void anyOfSeveralKeysOpensEveryRoute() {
        URI uri = start(o -> o.withApiKeys(List.of("sk-one", "sk-two")));
        for (String key : List.of("sk-one", "sk-two")) {
            Http http = new Http(uri, key);
            assertEquals(200, http.get("/v1/models").status());
            assertEquals(200, http.post("/tokenize", "{\"prompt\":\"hi\"}").status());
            assertEquals(200, http.get("/metrics").status());
        }
        for (String key : List.of("sk-three", "sk-one sk-two", "sk-on", "")) {
            assertEquals(401, new Http(uri, key).post("/tokenize", "{\"prompt\":\"hi\"}").status(), "key '" + key + "'");
        }
        assertEquals(401, new Http(uri, null).get("/metrics").status());
        assertEquals(200, new Http(uri, null).get("/health").status());
    }

    @Test
    void metricsWithoutKeyOpensOnlyMetrics() {
        URI uri = start(o -> o.withApiKey("sk").withMetricsWithoutKey(true));
        Http anonymous = new Http(uri, null);
        assertEquals(200, anonymous.get("/metrics").status());
        assertEquals(401, anonymous.get("/version").status());
        assertEquals(401, anonymous.post("/detokenize", "{\"tokens\":[1,2]}").status());
    }

    /** DNS rebinding: the browser sends the attacker's name as Host; only the names given pass. */
    @Test
    void hostHeaderMustNameTheServer() {
        URI uri = start(o -> o.withAllowedHosts(List.of("localhost", "127.0.0.1", ".pagoda.lan")));
        for (String host : List.of("localhost:8000", "127.0.0.1", "gpu.pagoda.lan", "pagoda.lan:80", "LOCALHOST")) {
            assertEquals(List.of(200), statuses(uri, "GET /v1/models", host), host);
        }
        for (String host : List.of("evil.test", "localhost.evil.test", "pagoda.lan.evil.test", "127.0.0.2")) {
            assertEquals(List.of(400), statuses(uri, "GET /v1/models", host), host);
        }
        assertEquals(List.of(200), statuses(uri, "GET /health", "evil.test"), "probes dial addresses, not names");
    }

    private List<Integer> statuses(URI uri, String request, String host) {
        try (RawHttp c = RawHttp.connect(uri.getPort())) {
            return RawHttp.statuses(c.send(request + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .readUntilClosed(Duration.ofSeconds(5)));
        }
    }

    @Test
    void corsStarAllowsAnyOriginButNeverCredentials() {
        URI uri = start(o -> o.withAllowedOrigins(List.of("*")));
        Http http = new Http(uri, null);
        Http.Reply r = http.send(http.builder("/v1/models").header("Origin", "http://anywhere.test").GET().build());
        assertEquals("*", r.headers().firstValue("access-control-allow-origin").orElseThrow());
        assertTrue(r.headers().firstValue("access-control-allow-credentials").isEmpty(), r.headers().toString());
        Http.Reply preflight = http.send(HttpRequest.newBuilder(uri.resolve("/v1/chat/completions"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "http://anywhere.test").header("Access-Control-Request-Method", "POST").build());
        assertEquals(200, preflight.status());
        assertEquals("*", preflight.headers().firstValue("access-control-allow-origin").orElseThrow());
        assertTrue(preflight.headers().firstValue("access-control-allow-credentials").isEmpty());
    }

    @Test
    void exposureWarningOnlyBeyondLoopbackWithoutKey() {
        assertTrue(ServerOptions.local().withAddress("0.0.0.0", 8000).exposureWarning(8000).orElseThrow()
                .contains("0.0.0.0:8000 without an API key"));
        assertFalse(ServerOptions.local().withAddress("0.0.0.0", 8000).withApiKey("k").exposureWarning(8000).isPresent());
        assertFalse(ServerOptions.local().withAddress("127.0.0.1", 8000).exposureWarning(8000).isPresent());
        assertFalse(ServerOptions.local().withAddress("::1", 8000).exposureWarning(8000).isPresent());
    }
}
