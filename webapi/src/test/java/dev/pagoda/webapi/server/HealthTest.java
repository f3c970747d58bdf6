package dev.pagoda.webapi.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pagoda.webapi.testing.FakeEngine;
import dev.pagoda.webapi.testing.FixtureModel;
import dev.pagoda.webapi.testing.Http;
import io.helidon.webserver.WebServer;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** /health answers 503 with the reason once the server knows it cannot serve (its listener lost), 200 before. */
class HealthTest {

    @Test
    void healthFailsOnceTheServerCannotServe() {
        FakeEngine engine = new FakeEngine(FixtureModel.info(), 2, 8, Duration.ofMillis(1));
        PagodaServer.Health health = new PagodaServer.Health();
        PagodaServer.Parts parts = new PagodaServer.Parts(new ClientFaults(), Optional.empty(), health);
        WebServer server = WebServer.builder().host("127.0.0.1").port(0)
                .routing(r -> PagodaServer.routing(r, engine, ServerOptions.local(), parts)).build().start();
        try {
            Http http = new Http(URI.create("http://127.0.0.1:" + server.port()), null);
            assertEquals(200, http.get("/health").status());
            health.fail("the HTTP listener on port 1 stopped accepting connections");
            Http.Reply r = http.get("/health");
            assertEquals(503, r.status());
            assertEquals("the HTTP listener on port 1 stopped accepting connections", r.json().at("/error/message").asText());
        } finally {
            server.stop();
            engine.close();
        }
    }
}
