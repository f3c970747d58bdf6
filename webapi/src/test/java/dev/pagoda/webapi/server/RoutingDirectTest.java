package dev.pagoda.webapi.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.engine.core.LocalEngine;
import dev.pagoda.webapi.testing.FixtureModel;
import dev.pagoda.webapi.testing.RealEngines;
import dev.pagoda.webapi.testing.Http;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.http1.Http1ClientResponse;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.DirectClient;
import io.helidon.webserver.testing.junit5.RoutingTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The same routing method as the socket tests, driven in memory by Helidon's {@link DirectClient}
 * (no port): the quick checks of routes that do not stream.
 */
@RoutingTest
class RoutingDirectTest {

    static final LocalEngine ENGINE = RealEngines.start();

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        PagodaServer.routing(routing, ENGINE, ServerOptions.local());
    }

    @AfterAll
    static void closeEngine() {
        ENGINE.close();
    }

    private final DirectClient client;

    RoutingDirectTest(DirectClient client) {
        this.client = client;
    }

    private static JsonNode json(Http1ClientResponse r) throws Exception {
        return Http.JSON.readTree(r.as(String.class));
    }

    @Test
    void modelsAndHealth() throws Exception {
        try (Http1ClientResponse r = client.get("/v1/models").request()) {
            assertEquals(200, r.status().code());
            JsonNode body = json(r);
            assertEquals("list", body.get("object").asText());
            assertEquals(FixtureModel.NAME, body.at("/data/0/id").asText());
            assertEquals(ENGINE.model().maxModelLen(), body.at("/data/0/max_model_len").asInt());
        }
        try (Http1ClientResponse r = client.get("/health").request()) {
            assertEquals(200, r.status().code());
        }
    }

    @Test
    void unknownRoutesGetJson404() throws Exception {
        try (Http1ClientResponse r = client.post("/v1/embeddings").submit("{}")) {
            assertEquals(404, r.status().code());
            assertEquals("Invalid URL (POST /v1/embeddings)", json(r).at("/error/message").asText());
        }
        try (Http1ClientResponse r = client.get("/v1/chat/completions").request()) {
            assertEquals(404, r.status().code());
            assertEquals("invalid_request_error", json(r).at("/error/type").asText());
        }
    }

    @Test
    void nonStreamingChatInMemory() throws Exception {
        try (Http1ClientResponse r = client.post("/v1/chat/completions")
                .header(HeaderNames.CONTENT_TYPE, "application/json")
                .submit("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":2,\"temperature\":0,\"ignore_eos\":true}")) {
            assertEquals(200, r.status().code());
            JsonNode body = json(r);
            assertEquals("chat.completion", body.get("object").asText());
            assertEquals("assistant", body.at("/choices/0/message/role").asText());
            assertEquals(2, body.at("/usage/completion_tokens").asInt());
        }
    }
}
