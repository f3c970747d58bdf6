package dev.pagoda.webapi.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.engine.core.LocalEngine;
import dev.pagoda.webapi.server.PagodaServer;
import dev.pagoda.webapi.server.ServerOptions;
import dev.pagoda.webapi.testing.FixtureModel;
import dev.pagoda.webapi.testing.Http;
import dev.pagoda.webapi.testing.RealEngines;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Strict about what is not done, over raw HTTP: every refused field of {@link RequestFields} is a
 * 400 naming it on each route it belongs to, its default value is accepted, bookkeeping and unknown
 * fields are ignored; after each request the engine still serves.
 */
@ServerTest
class StrictFieldsTest {

    static final LocalEngine ENGINE = RealEngines.start();

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        PagodaServer.routing(routing, ENGINE, ServerOptions.local());
    }

    @AfterAll
    static void closeEngine() {
        ENGINE.close();
    }

    private final Http http;

    StrictFieldsTest(URI uri) {
        http = new Http(uri, null);
    }

    static final String CHAT = "/v1/chat/completions";
    static final String COMPLETIONS = "/v1/completions";

    /** A minimal valid request of the route, with {@code extra} ("\"key\": value, ...") added. */
    static String body(String path, String extra) {
        String base = path.equals(CHAT)
                ? "\"model\":\"" + FixtureModel.NAME + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]"
                : "\"model\":\"" + FixtureModel.NAME + "\",\"prompt\":\"hi\"";
        return "{" + base + ",\"max_tokens\":2,\"temperature\":0,\"ignore_eos\":true" + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    @AfterEach
    void engineStillServes() {
        Http.Reply r = http.post(CHAT, body(CHAT, ""));
        assertEquals(200, r.status(), r.body());
        assertEquals(2, r.json().at("/usage/completion_tokens").asInt());
    }

    static Stream<Arguments> refusedFields() {
        List<Arguments> out = new ArrayList<>();
        for (RequestFields.Field f : RequestFields.ALL) {
            if (f.handling() != RequestFields.Handling.REFUSED) continue;
            for (RequestFields.Route r : f.routes()) out.add(Arguments.of(f.name(), r == RequestFields.Route.CHAT ? CHAT : COMPLETIONS));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{1} {0}")
    @MethodSource("refusedFields")
    void everyRefusedFieldIsA400NamingIt(String field, String path) {
        // an object is no field's default, so every refused field must refuse it
        assertUnsupported(http.post(path, body(path, "\"" + field + "\":{\"asks\":\"something\"}")), field);
    }

    /** Realistic values a client might send. */
    @ParameterizedTest(name = "{0} {1} = {2}")
    @CsvSource(delimiter = '|', value = {
            CHAT + "|use_beam_search|true",
            COMPLETIONS + "|use_beam_search|true",
            CHAT + "|modalities|[\"text\", \"audio\"]",
            CHAT + "|audio|{\"voice\": \"alloy\", \"format\": \"wav\"}",
            CHAT + "|reasoning_effort|\"high\"",
            CHAT + "|echo|true",
            COMPLETIONS + "|suffix|\"the end\"",
            COMPLETIONS + "|length_penalty|0.8",
            CHAT + "|allowed_token_ids|[1, 2, 3]",
            COMPLETIONS + "|bad_words|[\"darn\"]",
            CHAT + "|truncate_prompt_tokens|8",
            COMPLETIONS + "|spaces_between_special_tokens|false",
            CHAT + "|guided_decoding_backend|\"xgrammar\"",
            CHAT + "|cache_salt|\"tenant-1\"",
            CHAT + "|prediction|{\"type\": \"content\", \"content\": \"x\"}",
            CHAT + "|stream_options.continuous_usage_stats|true",
    })
    void realisticValuesOfRefusedFields(String path, String field, String value) {
        String extra = field.startsWith("stream_options.")
                ? "\"stream\":true,\"stream_options\":{\"continuous_usage_stats\":" + value + "}"
                : "\"" + field + "\":" + value;
        assertUnsupported(http.post(path, body(path, extra)), field);
    }

    /** What clients send as defaults asks for nothing, so it passes. */
    @ParameterizedTest(name = "{0} {1} = {2}")
    @CsvSource(delimiter = '|', value = {
            CHAT + "|use_beam_search|false",
            COMPLETIONS + "|length_penalty|1.0",
            CHAT + "|modalities|[\"text\"]",
            CHAT + "|echo|false",
            CHAT + "|spaces_between_special_tokens|true",
            COMPLETIONS + "|suffix|\"\"",
            CHAT + "|guided_decoding_backend|\"auto\"",
            CHAT + "|audio|null",
            CHAT + "|functions|[]",
            CHAT + "|best_of|1",
            CHAT + "|return_token_ids|false",
    })
    void defaultValuesPass(String path, String field, String value) {
        Http.Reply r = http.post(path, body(path, "\"" + field + "\":" + value));
        assertEquals(200, r.status(), r.body());
    }

    /** Every structured-output mistake of {@link StructuredOutputFieldsTest#mistakes()}, over HTTP, on both routes. */
    static Stream<Arguments> structuredOutputMistakes() {
        return StructuredOutputFieldsTest.mistakes().flatMap(a -> Stream.of(CHAT, COMPLETIONS)
                .map(path -> Arguments.of(path, a.get()[0], a.get()[1])));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("structuredOutputMistakes")
    void structuredOutputMistakes(String path, String param, String fields) {
        String inner = fields.substring(1, fields.length() - 1); // the mistake's fields, into a valid request
        Http.Reply r = http.post(path, body(path, inner));
        assertEquals(400, r.status(), r.body());
        assertEquals(param, r.json().at("/error/param").asText(), r.body());
    }

    @Test
    void priorityNeedsThePriorityPolicy() {
        for (String path : List.of(CHAT, COMPLETIONS)) {
            assertEquals(200, http.post(path, body(path, "\"priority\":0")).status(), "0 is every request's priority");
            Http.Reply r = http.post(path, body(path, "\"priority\":-3"));
            assertEquals(400, r.status(), r.body());
            assertEquals("priority", r.json().at("/error/param").asText(), r.body());
            assertTrue(r.json().at("/error/message").asText().contains("--scheduling-policy priority"), r.body());
        }
    }

    @Test
    void bookkeepingAndUnknownFieldsAreIgnored() {
        String extra = "\"user\":\"alice\",\"store\":false,\"metadata\":{\"k\":\"v\"},\"service_tier\":\"auto\","
                + "\"safety_identifier\":\"s\",\"prompt_cache_key\":\"p\",\"frobnicate\":[1,{\"x\":2}]";
        for (String path : List.of(CHAT, COMPLETIONS)) {
            Http.Reply r = http.post(path, body(path, extra));
            assertEquals(200, r.status(), path + ": " + r.body());
            // the same answer as without them: they change nothing
            String key = path.equals(CHAT) ? "/choices/0/message/content" : "/choices/0/text";
            assertEquals(http.post(path, body(path, "")).json().at(key).asText(), r.json().at(key).asText());
        }
    }

    private static void assertUnsupported(Http.Reply r, String field) {
        assertEquals(400, r.status(), r.body());
        JsonNode error = r.json().get("error");
        assertEquals(field, error.get("param").asText(), r.body());
        assertEquals("unsupported_parameter", error.get("code").asText(), r.body());
        assertEquals("invalid_request_error", error.get("type").asText(), r.body());
        assertTrue(error.get("message").asText().contains("'" + field + "'"), r.body());
    }
}
