package dev.pagoda.webapi.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pagoda.catalog.chat.ChatContext;
import dev.pagoda.catalog.chat.ChatTemplates;
import dev.pagoda.catalog.tokenizer.Tokenizer;
import dev.pagoda.engine.core.LocalEngine;
import dev.pagoda.webapi.server.PagodaServer;
import dev.pagoda.webapi.server.ServerOptions;
import dev.pagoda.webapi.testing.FixtureModel;
import dev.pagoda.webapi.testing.Http;
import dev.pagoda.webapi.testing.NodeClients;
import dev.pagoda.webapi.testing.RealEngines;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The JavaScript clients people use — the official {@code openai} SDK, LangChain JS and the Vercel
 * AI SDK — each doing plain and streaming chat and completions against this server, unchanged
 * (the SDK and LangChain stream with {@code Accept: application/json}). Every request a client sent
 * is replayed here over raw HTTP, streams as one JSON body: what the client made of the answer must
 * be that text; prompt token counts must be the model's own template and tokenizer's.
 */
@ServerTest
class NodeClientsTest {

    static final String KEY = "sk-node-clients";
    static final LocalEngine ENGINE = RealEngines.start();

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        PagodaServer.routing(routing, ENGINE, ServerOptions.local().withApiKey(KEY));
    }

    @AfterAll
    static void closeEngine() {
        ENGINE.close();
    }

    private final URI uri;
    private final Http http;
    private final Tokenizer tokenizer = ENGINE.model().tokenizer().orElseThrow();

    NodeClientsTest(URI uri) {
        this.uri = uri;
        this.http = new Http(uri, KEY);
    }

    @Test
    void plainAndStreamingChatAndCompletionsThroughEachClient() throws Exception {
        NodeClients.require();
        String input = Http.JSON.writeValueAsString(Map.of("baseURL", uri.resolve("/v1").toString(), "apiKey", KEY, "model", FixtureModel.NAME));
        JsonNode calls = Http.JSON.readTree(NodeClients.runResource("/dev/pagoda/webapi/openai/clients.mjs", input));

        Set<String> seen = new HashSet<>();
        for (JsonNode call : calls) {
            String client = call.get("client").asText(), kind = call.get("kind").asText();
            String where = client + " " + kind;
            seen.add(where);
            assertEquals(1, call.get("requests").size(), where + " sent one request: " + call.get("requests"));
            JsonNode request = call.at("/requests/0");
            ObjectNode body = (ObjectNode) request.get("body");
            boolean chat = kind.startsWith("chat");
            boolean stream = kind.endsWith("stream");
            assertEquals(stream, body.path("stream").asBoolean(false), where + " streams iff asked: " + body);
            assertEquals(chat ? "/v1/chat/completions" : "/v1/completions", URI.create(request.get("url").asText()).getPath());

            String text = call.get("text").asText();
            assertFalse(text.isEmpty(), where + " got text");
            assertEquals(answer(body, chat), text, where + ": what the client made of the answer is the server's text");
            if (stream) assertTrue(call.get("chunks").asInt() > 1, where + " streamed in pieces: " + call.get("chunks"));
            if (call.hasNonNull("promptTokens")) {
                assertEquals(promptTokens(body, chat), call.get("promptTokens").asInt(), where + ": prompt tokens");
            }
            if (call.hasNonNull("completionTokens")) assertEquals(8, call.get("completionTokens").asInt(), where);
        }
        assertEquals(12, seen.size(), "3 clients x chat/completions x plain/stream: " + seen);
        // the point of the streaming fix: the official SDK asks for JSON even when it streams
        for (JsonNode call : calls) {
            if (call.get("client").asText().equals("openai")) {
                assertEquals("application/json", call.at("/requests/0/accept").asText(), "openai " + call.get("kind"));
            }
        }
    }

    /** The request replayed over raw HTTP as one JSON body: the text the server answers. */
    private String answer(ObjectNode sent, boolean chat) {
        ObjectNode body = sent.deepCopy();
        body.remove("stream");
        body.remove("stream_options");
        Http.Reply r = http.post(chat ? "/v1/chat/completions" : "/v1/completions", body.toString());
        assertEquals(200, r.status(), r.body());
        return r.json().at(chat ? "/choices/0/message/content" : "/choices/0/text").asText();
    }

    /** The prompt's tokens as the model's own template and tokenizer make them. */
    private int promptTokens(ObjectNode body, boolean chat) {
        if (!chat) return tokenizer.encode(body.get("prompt").asText(), true).length;
        List<Map<String, Object>> messages = new ArrayList<>();
        for (JsonNode m : body.get("messages")) {
            messages.add(Http.JSON.convertValue(m, new TypeReference<Map<String, Object>>() {}));
        }
        ChatTemplates t = ENGINE.model().chatTemplates().orElseThrow();
        String rendered = t.forRequest(false).render(new ChatContext(messages, true, null, t.bosToken(), t.eosToken(), Map.of()));
        return tokenizer.encode(rendered, false).length;
    }
}
