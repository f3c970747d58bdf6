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
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Streaming whatever the client's {@code Accept} says, as OpenAI and vLLM do: the Node and Python
 * SDKs send {@code application/json} on streaming calls, curl {@code *}{@code /*}, openai-java none.
 * Each stream must be SSE and add up to the same request answered as one JSON body.
 */
@ServerTest
class StreamingAcceptTest {

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
    private final URI uri;

    StreamingAcceptTest(URI uri) {
        this.uri = uri;
        this.http = new Http(uri, null);
    }

    private static final String CHAT_BODY = "{\"model\":\"" + FixtureModel.NAME + "\",\"messages\":[{\"role\":\"user\","
            + "\"content\":\"Stream to me\"}],\"max_tokens\":7,\"temperature\":0,\"ignore_eos\":true";
    private static final String COMPLETION_BODY = "{\"model\":\"" + FixtureModel.NAME + "\",\"prompt\":\"Stream to me\","
            + "\"max_tokens\":7,\"temperature\":0,\"ignore_eos\":true";

    /** NONE sends no Accept header at all. */
    @ParameterizedTest(name = "{0} Accept: {1}")
    @CsvSource({
            "/v1/chat/completions, NONE",
            "/v1/chat/completions, */*",
            "/v1/chat/completions, application/json",
            "/v1/chat/completions, text/event-stream",
            "/v1/chat/completions, 'application/json, text/plain, */*'",
            "/v1/completions, NONE",
            "/v1/completions, */*",
            "/v1/completions, application/json",
            "/v1/completions, text/event-stream",
    })
    void streamsWhateverTheAcceptHeader(String path, String accept) {
        boolean chat = path.contains("chat");
        String body = chat ? CHAT_BODY : COMPLETION_BODY;
        HttpRequest.Builder b = http.builder(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body + ",\"stream\":true}"));
        if (!accept.equals("NONE")) b.header("Accept", accept);
        Http.Reply streamed = http.send(b.build());

        assertEquals(200, streamed.status(), streamed.body());
        assertTrue(streamed.headers().firstValue("content-type").orElseThrow().startsWith("text/event-stream"),
                streamed.headers().toString());
        assertEquals("[DONE]", streamed.events().getLast());
        String whole = http.post(path, body + "}").json().at(chat ? "/choices/0/message/content" : "/choices/0/text").asText();
        assertEquals(whole, streamedText(streamed.events(), chat));
    }

    /** Bytes on a socket, no client library between: no Accept, and Accept: application/json. */
    @ParameterizedTest(name = "raw socket, Accept: {0}")
    @CsvSource({"NONE", "application/json"})
    void rawHttpStreams(String accept) {
        String payload = COMPLETION_BODY + ",\"stream\":true}";
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        String request = "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + (accept.equals("NONE") ? "" : "Accept: " + accept + "\r\n")
                + "Content-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n";
        String response;
        try (Socket s = new Socket(uri.getHost(), uri.getPort())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            response = readUntilLastChunk(s.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
        String head = response.substring(0, response.indexOf("\r\n\r\n")).toLowerCase();
        assertTrue(head.contains("content-type: text/event-stream"), head);
        assertTrue(response.contains("data: {\"id\":\"cmpl-"), response);
        assertTrue(response.contains("data: [DONE]"), response);
    }

    /** The response up to the chunked body's terminating zero-length chunk (the server may keep the connection open). */
    private static String readUntilLastChunk(InputStream in) throws IOException {
        StringBuilder got = new StringBuilder();
        byte[] buf = new byte[4096];
        for (int n; !got.toString().endsWith("\r\n0\r\n\r\n") && (n = in.read(buf)) > 0; ) {
            got.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
        return got.toString();
    }

    private static String streamedText(List<String> events, boolean chat) {
        StringBuilder text = new StringBuilder();
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode chunk = parse(e);
            JsonNode choice = chunk.at("/choices/0");
            if (choice.isMissingNode()) continue;
            JsonNode piece = chat ? choice.at("/delta/content") : choice.get("text");
            if (piece != null && piece.isTextual()) text.append(piece.asText());
        }
        return text.toString();
    }

    private static JsonNode parse(String json) {
        try {
            return Http.JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError(json, e);
        }
    }
}
