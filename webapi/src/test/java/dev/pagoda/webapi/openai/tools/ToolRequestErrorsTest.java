package dev.pagoda.webapi.openai.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.engine.core.LocalEngine;
import dev.pagoda.webapi.server.PagodaServer;
import dev.pagoda.webapi.server.ServerOptions;
import dev.pagoda.webapi.testing.Http;
import dev.pagoda.webapi.testing.RealEngines;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every tool-calling request OpenAI or vLLM refuses gets a 400 with OpenAI's error body naming the
 * field, over raw HTTP; after each one a normal request is still served by the real engine.
 */
@ServerTest
class ToolRequestErrorsTest {

    static final LocalEngine ENGINE = RealEngines.start();

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        PagodaServer.routing(routing, ENGINE, ServerOptions.local()); // no --enable-auto-tool-choice
    }

    @AfterAll
    static void closeEngine() {
        ENGINE.close();
    }

    private static final String CHAT = "/v1/chat/completions";
    private static final String TOOL = "{\"type\": \"function\", \"function\": {\"name\": \"get_time\", \"parameters\": {\"type\": \"object\"}}}";
    private final Http http;

    ToolRequestErrorsTest(URI uri) {
        http = new Http(uri, null);
    }

    @AfterEach
    void engineStillServes() {
        Http.Reply r = http.post(CHAT, "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 3, "
                + "\"ignore_eos\": true, \"tools\": [" + TOOL + "], \"tool_choice\": \"none\"}");
        assertEquals(200, r.status(), r.body());
        assertEquals(3, r.json().at("/usage/completion_tokens").asInt());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            // the request's tools
            "\"tools\": {\"type\": \"function\"}                                                  | tools",
            "\"tools\": [1]                                                                       | tools[0]",
            "\"tools\": [{\"function\": {\"name\": \"f\"}}]                                       | tools[0].type",
            "\"tools\": [{\"type\": \"custom\", \"custom\": {\"name\": \"f\"}}]                   | tools[0].type",
            "\"tools\": [{\"type\": \"function\"}]                                                | tools[0].function",
            "\"tools\": [{\"type\": \"function\", \"function\": {\"description\": \"x\"}}]        | tools[0].function.name",
            "\"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"get time\"}}]        | tools[0].function.name",
            "\"tools\": [{\"type\": \"function\", \"function\": {\"name\": 7}}]                   | tools[0].function.name",
            "\"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\", \"parameters\": [1]}}]       | tools[0].function.parameters",
            "\"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\", \"parameters\": {\"type\": \"string\"}}}] | tools[0].function.parameters",
            "\"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\", \"strict\": \"yes\"}}]        | tools[0].function.strict",
            "\"tools\": [" + "{\"type\": \"function\", \"function\": {\"name\": \"f\"}}, {\"type\": \"function\", \"function\": {\"name\": \"f\"}}] | tools",
            // tool_choice and parallel_tool_calls
            "\"tools\": [" + TOOL + "], \"tool_choice\": \"always\"                               | tool_choice",
            "\"tools\": [" + TOOL + "], \"tool_choice\": 3                                        | tool_choice",
            "\"tools\": [" + TOOL + "], \"tool_choice\": {\"type\": \"allowed_tools\"}             | tool_choice.type",
            "\"tools\": [" + TOOL + "], \"tool_choice\": {\"type\": \"function\"}                  | tool_choice.function",
            "\"tools\": [" + TOOL + "], \"tool_choice\": {\"type\": \"function\", \"function\": {}} | tool_choice.function.name",
            "\"tools\": [" + TOOL + "], \"tool_choice\": {\"type\": \"function\", \"function\": {\"name\": \"nope\"}} | tool_choice.function.name",
            "\"tool_choice\": \"required\"                                                        | tool_choice",
            "\"tools\": [" + TOOL + "], \"tool_choice\": \"auto\"                                 | tool_choice",
            "\"tools\": [" + TOOL + "]                                                            | tool_choice",
            "\"tools\": [" + TOOL + "], \"tool_choice\": \"required\", \"parallel_tool_calls\": 1  | parallel_tool_calls",
            // the deprecated function calling
            "\"functions\": [{\"name\": \"get_time\"}]                                            | functions",
            "\"function_call\": \"auto\"                                                          | function_call",
    })
    void refusedWithTheFieldNamed(String fields, String param) {
        assertRefused(http.post(CHAT, "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 3, " + fields + "}"), param);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "{\"role\": \"assistant\", \"tool_calls\": {}}                                           | messages[1].tool_calls",
            "{\"role\": \"assistant\", \"tool_calls\": [{\"type\": \"function\"}]}                   | messages[1].tool_calls[0].function",
            "{\"role\": \"assistant\", \"tool_calls\": [{\"function\": {\"arguments\": \"{}\"}}]}    | messages[1].tool_calls[0].function.name",
            "{\"role\": \"assistant\", \"tool_calls\": [{\"function\": {\"name\": \"get_time\", \"arguments\": \"{not json\"}}]} | messages[1].tool_calls[0].function.arguments",
            "{\"role\": \"assistant\", \"tool_calls\": [{\"function\": {\"name\": \"get_time\", \"arguments\": 5}}]} | messages[1].tool_calls[0].function.arguments",
            "{\"role\": \"user\", \"content\": \"x\", \"tool_calls\": [{\"function\": {\"name\": \"get_time\"}}]} | messages[1].tool_calls",
            "{\"role\": \"tool\", \"content\": \"21 degrees\"}                                       | messages[1].tool_call_id",
            "{\"role\": \"tool\", \"content\": \"21 degrees\", \"tool_call_id\": 12}                  | messages[1].tool_call_id",
    })
    void badToolMessagesAreRefused(String message, String param) {
        assertRefused(http.post(CHAT, "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, " + message + "], \"max_tokens\": 3}"), param);
        // /tokenize renders the same conversation and refuses it the same way.
        assertRefused(http.post("/tokenize", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, " + message + "]}"), param);
    }

    private static void assertRefused(Http.Reply r, String param) {
        assertEquals(400, r.status(), r.body());
        JsonNode error = r.json().get("error");
        assertEquals("invalid_request_error", error.get("type").asText(), r.body());
        assertEquals(param, error.get("param").asText(), r.body());
        assertFalse(error.get("message").asText().isBlank());
        assertTrue(error.has("code"), r.body());
        assertFalse(r.json().has("choices"));
    }
}
