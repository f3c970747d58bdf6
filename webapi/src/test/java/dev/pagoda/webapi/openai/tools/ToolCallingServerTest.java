package dev.pagoda.webapi.openai.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.catalog.chat.ChatTemplates;
import dev.pagoda.engine.api.GenerationRequest;
import dev.pagoda.engine.structured.StructuredOutput;
import dev.pagoda.webapi.openai.reasoning.ReasoningParsers;
import dev.pagoda.webapi.server.PagodaServer;
import dev.pagoda.webapi.server.ServerOptions;
import dev.pagoda.webapi.testing.FakeEngine;
import dev.pagoda.webapi.testing.FixtureModel;
import dev.pagoda.webapi.testing.Http;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Tool calling through the real HTTP server, over raw HTTP so every key of OpenAI's wire format is
 * seen: a scripted engine writes what a Qwen, Llama or Mistral model writes, and the server answers
 * with OpenAI's {@code tool_calls} (whole and as {@code delta.tool_calls} pieces) and
 * {@code finish_reason: "tool_calls"}; the conversation coming back with the calls and their results
 * reaches the model through the chat template.
 */
class ToolCallingServerTest {

    static final FakeEngine ENGINE = new FakeEngine(FixtureModel.info(), 8, 8, Duration.ofMillis(1));

    @AfterAll
    static void close() {
        ENGINE.close();
    }

    private static final String WEATHER_TOOL = """
            {"type": "function", "function": {"name": "get_weather", "description": "Weather in a city",
             "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string",
             "enum": ["celsius", "fahrenheit"]}}, "required": ["city"]}}}""";
    private static final String TIME_TOOL = """
            {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object", "properties": {"tz": {"type": "string"}}}}}""";

    private static String request(boolean stream, String extra) {
        return "{\"model\": \"" + FixtureModel.NAME + "\", \"messages\": [{\"role\": \"user\", \"content\": \"Weather in Paris?\"}],"
                + "\"tools\": [" + WEATHER_TOOL + ", " + TIME_TOOL + "], \"stream\": " + stream + extra + "}";
    }

    /** A server over the shared engine with these parsers; closed by the caller. */
    private static PagodaServer server(ToolParsing parsing) {
        return PagodaServer.start(ENGINE, ServerOptions.local().withToolParsing(parsing));
    }

    private static Http http(PagodaServer server) {
        return new Http(URI.create("http://127.0.0.1:" + server.port()), null);
    }

    @Test
    void eachParserTurnsItsModelsFormatIntoOpenAiToolCalls() {
        record Case(String parser, String output, String content) {}
        String args1 = "{\"city\": \"Paris\", \"unit\": \"celsius\"}";
        String args2 = "{\"tz\": \"Europe/Paris\"}";
        List<Case> cases = List.of(
                new Case(ToolCallParsers.HERMES, "Let me look.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": " + args1
                        + "}\n</tool_call>\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": " + args2 + "}\n</tool_call>", "Let me look.\n"),
                new Case(ToolCallParsers.LLAMA3_JSON, "{\"name\": \"get_weather\", \"parameters\": " + args1 + "}; {\"name\": \"get_time\", "
                        + "\"parameters\": " + args2 + "}", null),
                new Case(ToolCallParsers.MISTRAL, "Sure.[TOOL_CALLS]get_weather[ARGS]" + args1 + "[TOOL_CALLS]get_time[ARGS]" + args2, "Sure."));
        for (Case c : cases) {
            try (PagodaServer server = server(ToolParsing.autoTools(c.parser()))) {
                AtomicReference<GenerationRequest> seen = new AtomicReference<>();
                ENGINE.script(r -> {
                    seen.set(r);
                    return c.output();
                });
                Http.Reply whole = http(server).post("/v1/chat/completions", request(false, ""));
                assertEquals(200, whole.status(), whole.body());
                // [TOOL_CALLS] (and in some models <tool_call>) is a special token: the text must keep it, as vLLM arranges.
                assertEquals(c.parser().equals(ToolCallParsers.LLAMA3_JSON), seen.get().params().skipSpecialTokens(), c.parser());
                JsonNode choice = whole.json().at("/choices/0");
                assertEquals("tool_calls", choice.get("finish_reason").asText(), c.parser());
                JsonNode message = choice.get("message");
                assertEquals("assistant", message.get("role").asText());
                if (c.content() == null) assertTrue(message.get("content").isNull(), message.toString());
                else assertEquals(c.content(), message.get("content").asText());
                JsonNode calls = message.get("tool_calls");
                assertEquals(2, calls.size(), message.toString());
                assertCall(calls.get(0), "get_weather", args1, c.parser());
                assertCall(calls.get(1), "get_time", args2, c.parser());

                Streamed s = Streamed.of(http(server).post("/v1/chat/completions", request(true, "")));
                assertEquals("tool_calls", s.finishReason);
                assertEquals(c.content() == null ? "" : c.content(), s.content.toString(), c.parser());
                assertEquals(2, s.calls.size());
                assertEquals("get_weather", s.calls.get(0).name);
                assertEquals(args1, s.calls.get(0).arguments.toString());
                assertEquals("get_time", s.calls.get(1).name);
                assertEquals(args2, s.calls.get(1).arguments.toString());
                assertTrue(s.pieces > 2, "the arguments came in pieces: " + s.pieces);
            } finally {
                ENGINE.script(null);
            }
        }
    }

    private static void assertCall(JsonNode call, String name, String arguments, String parser) {
        assertEquals("function", call.get("type").asText());
        String id = call.get("id").asText();
        if (parser.equals(ToolCallParsers.MISTRAL)) assertTrue(id.matches("[a-zA-Z0-9]{9}"), id);
        else assertTrue(id.matches("call_[a-zA-Z0-9]{24}"), id);
        assertEquals(name, call.at("/function/name").asText());
        assertEquals(arguments, call.at("/function/arguments").asText(), "arguments as the model wrote them, as a JSON string");
    }

    @Test
    void parallelToolCallsFalseAnswersWithTheFirstCallOnly() {
        try (PagodaServer server = server(ToolParsing.autoTools(ToolCallParsers.HERMES))) {
            ENGINE.script(r -> "<tool_call>{\"name\": \"get_time\", \"arguments\": {}}</tool_call><tool_call>{\"name\": \"get_weather\", "
                    + "\"arguments\": {\"city\": \"Rome\"}}</tool_call>");
            JsonNode calls = http(server).post("/v1/chat/completions", request(false, ", \"parallel_tool_calls\": false")).json()
                    .at("/choices/0/message/tool_calls");
            assertEquals(1, calls.size());
            assertEquals("get_time", calls.get(0).at("/function/name").asText());
            Streamed s = Streamed.of(http(server).post("/v1/chat/completions", request(true, ", \"parallel_tool_calls\": false")));
            assertEquals(1, s.calls.size());
        } finally {
            ENGINE.script(null);
        }
    }

    @Test
    void everyOneOfSeveralChoicesGetsItsOwnCalls() {
        try (PagodaServer server = server(ToolParsing.autoTools(ToolCallParsers.HERMES))) {
            ENGINE.script(r -> "<tool_call>{\"name\": \"get_time\", \"arguments\": {\"tz\": \"UTC\"}}</tool_call>");
            JsonNode choices = http(server).post("/v1/chat/completions", request(false, ", \"n\": 3")).json().get("choices");
            assertEquals(3, choices.size());
            java.util.Set<String> ids = new java.util.HashSet<>();
            for (JsonNode c : choices) {
                assertEquals("tool_calls", c.get("finish_reason").asText());
                assertEquals("{\"tz\": \"UTC\"}", c.at("/message/tool_calls/0/function/arguments").asText());
                ids.add(c.at("/message/tool_calls/0/id").asText());
            }
            assertEquals(3, ids.size(), "each call its own id");
            Http.Reply streamed = http(server).post("/v1/chat/completions", request(true, ", \"n\": 3"));
            for (int i = 0; i < 3; i++) {
                Streamed s = Streamed.of(streamed, i);
                assertEquals("tool_calls", s.finishReason, "choice " + i);
                assertEquals("{\"tz\": \"UTC\"}", s.calls.getFirst().arguments.toString(), "choice " + i);
            }
        } finally {
            ENGINE.script(null);
        }
    }

    @Test
    void plainAnswersStayContentAndNoneNeverParses() {
        try (PagodaServer server = server(ToolParsing.autoTools(ToolCallParsers.HERMES))) {
            String text = "No tool needed; <tool_call> is how I would call one.";
            ENGINE.script(r -> text);
            // tool_choice none: the text is the answer, whatever it holds.
            JsonNode none = http(server).post("/v1/chat/completions", request(false, ", \"tool_choice\": \"none\"")).json().at("/choices/0");
            assertEquals(text, none.at("/message/content").asText());
            assertFalse(none.get("message").has("tool_calls"));
            assertEquals("stop", none.get("finish_reason").asText());
            // auto, with markup that is no call: shown as text, as vLLM does.
            JsonNode auto = http(server).post("/v1/chat/completions", request(false, "")).json().at("/choices/0");
            assertEquals(text, auto.at("/message/content").asText());
            assertEquals("stop", auto.get("finish_reason").asText());
            Streamed s = Streamed.of(http(server).post("/v1/chat/completions", request(true, "")));
            assertEquals("stop", s.finishReason);
            assertTrue(s.calls.isEmpty());
        } finally {
            ENGINE.script(null);
        }
    }

    @Test
    void reasoningComesApartFromTheAnswerAndTheCalls() {
        ToolParsing parsing = ToolParsing.autoTools(ToolCallParsers.HERMES).withReasoningParser(ReasoningParsers.QWEN3);
        try (PagodaServer server = server(parsing)) {
            ENGINE.script(r -> "<think>\nThe user wants the weather; I call get_weather.\n</think>\n\n"
                    + "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>");
            JsonNode message = http(server).post("/v1/chat/completions", request(false, "")).json().at("/choices/0/message");
            assertEquals("\nThe user wants the weather; I call get_weather.\n", message.get("reasoning_content").asText());
            assertEquals("get_weather", message.at("/tool_calls/0/function/name").asText());
            Streamed s = Streamed.of(http(server).post("/v1/chat/completions", request(true, "")));
            assertEquals(message.get("reasoning_content").asText(), s.reasoning.toString());
            assertEquals(message.get("content").asText(), s.content.toString());
            assertEquals("{\"city\": \"Paris\"}", s.calls.getFirst().arguments.toString());
            assertEquals("tool_calls", s.finishReason);
        } finally {
            ENGINE.script(null);
        }
    }

    @Test
    void requiredAndNamedChoicesAskTheEngineForTheirGrammar() {
        AtomicReference<GenerationRequest> seen = new AtomicReference<>();
        try (PagodaServer server = server(ToolParsing.NONE)) {
            ENGINE.script(r -> {
                seen.set(r);
                return r.params().structuredOutput() instanceof StructuredOutput.JsonSchema s
                        && s.parameter().equals("tools")
                        ? "[{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Oslo\"}}]" : "{\"tz\": \"UTC\"}";
            });
            JsonNode required = http(server).post("/v1/chat/completions", request(false, ", \"tool_choice\": \"required\"")).json();
            assertEquals("tool_calls", required.at("/choices/0/finish_reason").asText(), required.toString());
            assertEquals("{\"city\": \"Oslo\"}", required.at("/choices/0/message/tool_calls/0/function/arguments").asText());
            var schema = (StructuredOutput.JsonSchema) seen.get().params().structuredOutput();
            JsonNode branches = Http.JSON.readTree(schema.schemaJson()).at("/items/anyOf");
            assertEquals(2, branches.size(), schema.schemaJson());
            assertEquals("get_weather", branches.get(0).at("/properties/name/enum/0").asText());
            assertEquals(Http.JSON.readTree(WEATHER_TOOL).at("/function/parameters"), branches.get(0).at("/properties/parameters"));

            JsonNode named = http(server).post("/v1/chat/completions", request(false,
                    ", \"tool_choice\": {\"type\": \"function\", \"function\": {\"name\": \"get_time\"}}")).json();
            assertEquals("stop", named.at("/choices/0/finish_reason").asText(), "a named call ends with stop, as in vLLM and OpenAI");
            assertEquals("get_time", named.at("/choices/0/message/tool_calls/0/function/name").asText());
            assertEquals("{\"tz\": \"UTC\"}", named.at("/choices/0/message/tool_calls/0/function/arguments").asText());
            var namedSchema = (StructuredOutput.JsonSchema) seen.get().params().structuredOutput();
            assertEquals("tools[1].function.parameters", namedSchema.parameter());
            assertEquals(Http.JSON.readTree(TIME_TOOL).at("/function/parameters"), Http.JSON.readTree(namedSchema.schemaJson()));

            Streamed s = Streamed.of(http(server).post("/v1/chat/completions", request(true,
                    ", \"tool_choice\": {\"type\": \"function\", \"function\": {\"name\": \"get_time\"}}")));
            assertEquals("get_time", s.calls.getFirst().name);
            assertEquals("{\"tz\": \"UTC\"}", s.calls.getFirst().arguments.toString());
        } catch (IOException e) {
            throw new AssertionError(e);
        } finally {
            ENGINE.script(null);
        }
    }

    @Test
    void callsAndResultsGoBackThroughTheChatTemplate() throws IOException {
        String template;
        try (InputStream in = ChatTemplates.class.getResourceAsStream("llama31-style-tools.jinja")) {
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        AtomicReference<String> prompt = new AtomicReference<>();
        var options = ServerOptions.local().withChatTemplate(ChatTemplates.fromString(template))
                .withToolParsing(ToolParsing.autoTools(ToolCallParsers.LLAMA3_JSON));
        try (PagodaServer server = PagodaServer.start(ENGINE, options)) {
            ENGINE.script(r -> {
                prompt.set(FixtureModel.info().tokenizer().orElseThrow().decode(r.promptTokenIds(), false));
                return "It is 21 degrees in Paris.";
            });
            String body = "{\"messages\": [{\"role\": \"user\", \"content\": \"Weather in Paris?\"},"
                    + "{\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{\"id\": \"call_1\", \"type\": \"function\","
                    + " \"function\": {\"name\": \"get_weather\", \"arguments\": \"{\\\"city\\\": \\\"Paris\\\", \\\"days\\\": [1, 2]}\"}}]},"
                    + "{\"role\": \"tool\", \"tool_call_id\": \"call_1\", \"content\": \"{\\\"temp\\\": 21}\"}],"
                    + "\"tools\": [" + WEATHER_TOOL + "], \"chat_template_kwargs\": {\"date_string\": \"05 Jul 2024\"}}";
            JsonNode reply = http(server).post("/v1/chat/completions", body).json();
            assertEquals("It is 21 degrees in Paris.", reply.at("/choices/0/message/content").asText(), reply.toString());
            assertEquals("stop", reply.at("/choices/0/finish_reason").asText());
            // The JSON-string arguments reached the template as a mapping, written back by its tojson.
            assertTrue(prompt.get().contains("{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\", \"days\": [1, 2]}}"), prompt.get());
            // The result as this template writes a string result (tojson: it counts strings as iterable).
            assertTrue(prompt.get().contains("<|start_header_id|>ipython<|end_header_id|>\n\n\"{\\\"temp\\\": 21}\"<|eot_id|>"), prompt.get());
        } finally {
            ENGINE.script(null);
        }
    }

    /** A streamed chat answer put back together from its SSE chunks, checking OpenAI's chunk rules on the way. */
    private static final class Streamed {
        final StringBuilder content = new StringBuilder();
        final StringBuilder reasoning = new StringBuilder();
        final List<Call> calls = new ArrayList<>();
        String finishReason;
        int pieces;

        record Call(String id, String name, StringBuilder arguments) {}

        static Streamed of(Http.Reply reply) {
            return of(reply, 0);
        }

        /** Choice {@code index} of the stream. */
        static Streamed of(Http.Reply reply, int index) {
            assertEquals(200, reply.status(), reply.body());
            Streamed s = new Streamed();
            Map<Integer, Call> byIndex = new TreeMap<>();
            List<String> events = reply.events();
            assertEquals("[DONE]", events.getLast());
            for (String data : events.subList(0, events.size() - 1)) {
                JsonNode chunk;
                try {
                    chunk = Http.JSON.readTree(data);
                } catch (IOException e) {
                    throw new AssertionError(data, e);
                }
                assertEquals("chat.completion.chunk", chunk.get("object").asText());
                for (JsonNode choice : chunk.get("choices")) {
                    if (choice.get("index").asInt() != index) continue;
                    JsonNode delta = choice.get("delta");
                    if (delta.hasNonNull("content")) s.content.append(delta.get("content").asText());
                    if (delta.hasNonNull("reasoning_content")) s.reasoning.append(delta.get("reasoning_content").asText());
                    if (choice.hasNonNull("finish_reason")) s.finishReason = choice.get("finish_reason").asText();
                    if (!delta.has("tool_calls")) continue;
                    for (JsonNode t : delta.get("tool_calls")) {
                        int call = t.get("index").asInt();
                        Call c = byIndex.get(call);
                        if (c == null) {
                            assertTrue(t.hasNonNull("id") && t.hasNonNull("type") && t.at("/function/name").isTextual(), t.toString());
                            byIndex.put(call, new Call(t.get("id").asText(), t.at("/function/name").asText(),
                                    new StringBuilder(t.at("/function/arguments").asText())));
                        } else {
                            assertFalse(t.has("id") || t.at("/function").has("name"), "only the first piece names the call: " + t);
                            c.arguments().append(t.at("/function/arguments").asText());
                        }
                        s.pieces++;
                    }
                }
            }
            s.calls.addAll(byIndex.values());
            return s;
        }
    }
}
