package dev.pagoda.webapi.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.webapi.testing.FakeEngine;
import dev.pagoda.webapi.testing.FixtureModel;
import dev.pagoda.webapi.testing.Http;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A request the engine fails (the fake engine fails any prompt holding its poison token): 500 before
 * the stream starts, an in-band error and [DONE] once it has, and the next request is served.
 */
@ServerTest
class EngineFailureTest {

    static final FakeEngine ENGINE = new FakeEngine(FixtureModel.info(), 4, 4, Duration.ofMillis(1));

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        PagodaServer.routing(routing, ENGINE, ServerOptions.local());
    }

    @AfterAll
    static void closeEngine() {
        ENGINE.close();
    }

    private final Http http;

    EngineFailureTest(URI uri) {
        http = new Http(uri, null);
    }

    @Test
    void oneFailedRequestDoesNotStopTheOthers() {
        String poisoned = "{\"prompt\":[1, " + ENGINE.poisonToken + ", 2],\"max_tokens\":4}";
        Http.Reply whole = http.post("/v1/completions", poisoned);
        assertEquals(500, whole.status(), whole.body());
        assertEquals("server_error", whole.json().at("/error/type").asText());

        Http.Reply streamed = http.post("/v1/completions", poisoned.replace("}", ",\"stream\":true}"));
        assertEquals(200, streamed.status());
        List<String> events = streamed.events();
        assertTrue(events.getFirst().startsWith("{\"error\":{"), streamed.body());
        assertEquals("[DONE]", events.getLast());

        Http.Reply next = http.post("/v1/completions", "{\"prompt\":[1, 2, 3],\"max_tokens\":4}");
        assertEquals(200, next.status(), next.body());
        assertEquals(4, next.json().at("/usage/completion_tokens").asInt());
        assertEquals(2, ENGINE.state().totals().finishedError());
    }
}
