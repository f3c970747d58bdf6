package dev.pagoda.webapi.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.engine.api.GenerationRequest;
import dev.pagoda.engine.api.RequestStream;
import dev.pagoda.engine.sample.SamplingParams;
import dev.pagoda.engine.core.LocalEngine;
import dev.pagoda.webapi.testing.FixtureModel;
import dev.pagoda.webapi.testing.RealEngines;
import dev.pagoda.webapi.testing.Http;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every way a request can be refused, over raw HTTP so the exact status and OpenAI error body are
 * seen; after each, a normal request must still be served (the engine keeps going).
 */
@ServerTest
class ErrorResponsesTest {

    static final String KEY = "sk-errors";
    static final int MAX_WAITING = 3;
    static final long MAX_BODY = 64 * 1024;
    static final LocalEngine ENGINE = RealEngines.start(c -> c.maxWaitingRequests(MAX_WAITING));

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        PagodaServer.routing(routing, ENGINE, ServerOptions.local().withApiKey(KEY).withMaxRequestBytes(MAX_BODY));
    }

    @AfterAll
    static void closeEngine() {
        ENGINE.close();
    }

    private final Http http;
    private final Http anonymous;

    ErrorResponsesTest(URI uri) {
        http = new Http(uri, KEY);
        anonymous = new Http(uri, null);
    }

    private static final String CHAT = "/v1/chat/completions";
    private static final String OK_CHAT = "{\"model\":\"" + FixtureModel.NAME + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
            + "\"max_tokens\":3,\"temperature\":0,\"ignore_eos\":true}";

    @AfterEach
    void engineStillServes() {
        Http.Reply r = http.post(CHAT, OK_CHAT);
        assertEquals(200, r.status(), r.body());
        assertEquals(3, r.json().at("/usage/completion_tokens").asInt());
    }

    private static void assertError(Http.Reply r, int status, String param) {
        assertEquals(status, r.status(), r.body());
        JsonNode error = r.json().get("error");
        assertTrue(error != null && error.isObject(), "OpenAI error body: " + r.body());
        for (String key : List.of("message", "type", "param", "code")) {
            assertTrue(error.has(key), "error has '" + key + "': " + r.body());
        }
        assertFalse(error.get("message").asText().isBlank());
        if (param == null) {
            assertTrue(error.get("param").isNull(), r.body());
        } else {
            assertEquals(param, error.get("param").asText(), r.body());
        }
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/json"), r.headers().toString());
    }

    @Test
    void malformedJson() {
        assertError(http.post(CHAT, "{\"messages\": [}"), 400, null);
        assertError(http.post(CHAT, "{\"messages\": []} trailing"), 400, null);
        assertError(http.post(CHAT, "[1, 2]"), 400, null);
        assertError(http.post(CHAT, ""), 400, null);
    }

    @Test
    void invalidUtf8() {
        byte[] body = "{\"messages\":[{\"role\":\"user\",\"content\":\"XX\"}]}".getBytes(StandardCharsets.US_ASCII);
        byte[] broken = body.clone();
        int at = new String(body, StandardCharsets.US_ASCII).indexOf("XX");
        broken[at] = (byte) 0xC3; // a lead byte followed by 'X' is not UTF-8
        Http.Reply r = http.post(CHAT, broken);
        assertError(r, 400, null);
        assertTrue(r.json().at("/error/message").asText().contains("UTF-8"), r.body());
    }

    @Test
    void hugeBodiesAreRefusedWithoutReadingThem() {
        byte[] huge = ("{\"prompt\":\"" + "a".repeat((int) MAX_BODY) + "\"}").getBytes(StandardCharsets.UTF_8);
        assertError(http.post("/v1/completions", huge), 413, null);
        // No Content-Length (chunked): the reader stops one byte past the limit.
        HttpRequest chunked = http.builder("/v1/completions").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(huge))).build();
        assertError(http.send(chunked), 413, null);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
            "temperature|-1",
            "temperature|NaN",
            "temperature|Infinity",
            "top_p|0",
            "top_p|1.5",
            "top_k|-2",
            "min_p|2",
            "presence_penalty|-2.5",
            "frequency_penalty|1e300",
            "repetition_penalty|0",
            "n|0",
            "n|1000000",
            "max_tokens|0",
            "max_tokens|-5",
            "max_tokens|100000",
            "max_tokens|1e30",
            "max_tokens|99999999999999999999",
            "min_tokens|-1",
            "top_logprobs|3",
            "logit_bias|{\"1\": 1000}",
            "logit_bias|{\"99999\": 1}",
            "stop_token_ids|[-1]",
            "stop|[\"\"]",
    })
    void badParameterValues(String param, String value) {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"" + param + "\":" + value + "}";
        assertError(http.post(CHAT, body), 400, param);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
            "temperature|\"hot\"",
            "max_tokens|2.5",
            "n|\"2\"",
            "stream|\"yes\"",
            "stop|42",
            "seed|1.5",
            "logprobs|1",
            "messages|\"hello\"",
            "chat_template_kwargs|[]",
    })
    void wrongTypes(String param, String value) {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"" + param + "\":" + value + "}";
        Http.Reply r = http.post(CHAT, body);
        assertError(r, 400, param);
        assertEquals("invalid_type", r.json().at("/error/code").asText(), r.body());
    }

    @Test
    void unknownFieldsAreIgnored() {
        Http.Reply r = http.post(CHAT, OK_CHAT.replace("{", "{\"frobnicate\":{\"x\":[1]},\"service_tier\":\"auto\","));
        assertEquals(200, r.status(), r.body());
    }

    @Test
    void emptyOrMissingMessages() {
        assertError(http.post(CHAT, "{\"messages\":[]}"), 400, "messages");
        assertError(http.post(CHAT, "{\"model\":\"" + FixtureModel.NAME + "\"}"), 400, "messages");
        assertError(http.post(CHAT, "{\"messages\":[{\"content\":\"no role\"}]}"), 400, "messages[0].role");
        assertError(http.post("/v1/completions", "{\"prompt\":[]}"), 400, "prompt");
    }

    @Test
    void promptLongerThanTheContext() {
        int maxModelLen = ENGINE.model().maxModelLen();
        String longText = "word ".repeat(maxModelLen);
        Http.Reply r = http.post("/v1/completions", "{\"prompt\":\"" + longText + "\"}");
        assertError(r, 400, "prompt");
        assertTrue(r.json().at("/error/message").asText().contains("maximum context length is " + maxModelLen), r.body());
        assertError(http.post(CHAT, "{\"messages\":[{\"role\":\"user\",\"content\":\"" + longText + "\"}]}"), 400, "messages");
        assertError(http.post("/v1/completions", "{\"prompt\":[1, 2, 600]}"), 400, "prompt");
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET /v1/models", "POST /v1/completions", "POST /v1/chat/completions", "POST /tokenize",
            "POST /detokenize", "GET /version", "GET /metrics", "GET /no/such/route", "OPTIONS /v1/models"})
    void everyRouteButHealthNeedsTheKey(String route) {
        String method = route.split(" ")[0], path = route.split(" ")[1];
        for (String auth : new String[] {null, "Bearer sk-nope", "Basic " + KEY, "Bearer " + KEY + "x"}) {
            HttpRequest.Builder b = anonymous.builder(path).method(method,
                    method.equals("GET") ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(OK_CHAT));
            if (auth != null) b.header("Authorization", auth);
            Http.Reply r = anonymous.send(b.build());
            assertError(r, 401, null);
            assertEquals("invalid_api_key", r.json().at("/error/code").asText());
        }
        assertEquals(200, anonymous.get("/health").status(), "health needs no key");
    }

    @Test
    void unknownModel() {
        Http.Reply r = http.post(CHAT, OK_CHAT.replace(FixtureModel.NAME, "llama-9000"));
        assertError(r, 404, "model");
        assertEquals("model_not_found", r.json().at("/error/code").asText());
        assertError(http.post("/v1/completions", "{\"model\":\"x\",\"prompt\":\"hi\"}"), 404, "model");
    }

    @Test
    void fullWaitingQueueIs503() throws Exception {
        ENGINE.pause();
        List<RequestStream> parked = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_WAITING; i++) {
                parked.add(ENGINE.submit(new GenerationRequest("parked-" + i, new int[] {1, 2, 3}, SamplingParams.greedy(2))));
            }
            Http.Reply r = http.post(CHAT, OK_CHAT);
            assertError(r, 503, null);
            assertEquals("server_error", r.json().at("/error/type").asText());
        } finally {
            parked.forEach(RequestStream::close);
            ENGINE.resume();
        }
    }

    @Test
    void streamOptionsWithoutStream() {
        assertError(http.post(CHAT, OK_CHAT.replace("{", "{\"stream_options\":{\"include_usage\":true},")), 400, "stream_options");
    }

    @Test
    void healthAndVersion() {
        assertEquals(200, http.get("/health").status());
        assertEquals(PagodaServer.version(), http.get("/version").json().get("version").asText());
    }
}
