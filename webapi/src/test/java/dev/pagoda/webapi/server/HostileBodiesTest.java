package dev.pagoda.webapi.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.catalog.tokenizer.Tokenizer;
import dev.pagoda.engine.core.LocalEngine;
import dev.pagoda.webapi.testing.FixtureModel;
import dev.pagoda.webapi.testing.Http;
import dev.pagoda.webapi.testing.RealEngines;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bodies built to hurt the parser or the tokenizer (deep nesting, huge strings, long numbers, a
 * megabyte model name, texts no context can hold, non-JSON content types): each gets a 4xx in
 * OpenAI's shape that names no class and quotes no more than a hundred characters of the request,
 * and the engine goes on serving, also while they arrive.
 */
@ServerTest
class HostileBodiesTest {

    static final LocalEngine ENGINE = RealEngines.start();
    static final String KEY = "sk-hostile";

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        PagodaServer.routing(routing, ENGINE, ServerOptions.local().withApiKey(KEY));
    }

    @AfterAll
    static void closeEngine() {
        ENGINE.close();
    }

    private final Http http;

    HostileBodiesTest(URI uri) {
        http = new Http(uri, KEY);
    }

    private static final String OK = "{\"prompt\":\"hi\",\"max_tokens\":2,\"ignore_eos\":true}";

    @AfterEach
    void engineStillServes() {
        Http.Reply r = http.post("/v1/completions", OK);
        assertEquals(200, r.status(), r.body());
    }

    private static JsonNode assertClean(Http.Reply r, int status, String code) {
        assertEquals(status, r.status(), r.body().substring(0, Math.min(400, r.body().length())));
        JsonNode error = r.json().get("error");
        assertEquals(code, error.get("code").asText(), r.body());
        String message = error.get("message").asText();
        for (String internal : List.of("com.fasterxml", "jackson", "Exception", "java.", "io.helidon", "dev.pagoda", "StreamReadConstraints")) {
            assertFalse(message.contains(internal), "the message names server internals: " + message);
        }
        assertTrue(r.body().length() < 1500, "the error repeats the request: " + r.body().length() + " bytes");
        return error;
    }

    @Test
    void hundredThousandLevelsDeepIs400() {
        String deep = "{\"prompt\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        assertClean(http.post("/v1/completions", deep), 400, "json_too_deep");
        String deepObject = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000);
        assertClean(http.post("/v1/chat/completions", deepObject), 400, "json_too_deep");
    }

    @Test
    void aThirtyMegabyteStringIs413() {
        String huge = "{\"prompt\":\"" + "a".repeat(30_000_000) + "\"}";
        assertClean(http.post("/v1/completions", huge), 413, "request_too_large");
    }

    @Test
    void aHundredAndOneDigitNumberIs400() {
        assertClean(http.post("/v1/completions", "{\"prompt\":\"hi\",\"max_tokens\":" + "9".repeat(101) + "}"), 400, "json_number_too_long");
    }

    @Test
    void aMillionValuesIs413() {
        String ids = "{\"prompt\":[" + "1,".repeat(1_100_000) + "1]}";
        assertClean(http.post("/v1/completions", ids), 413, "request_too_large");
    }

    @Test
    void brokenJsonIsDescribedWithoutQuotingIt() {
        JsonNode error = assertClean(http.post("/v1/completions", "{\"prompt\": " + "x".repeat(5000) + "}"), 400, "invalid_json");
        assertTrue(error.get("message").asText().contains("line 1"), error.toString());
    }

    @Test
    void aMegabyteModelNameIsQuotedShort() {
        String name = "m".repeat(1 << 20);
        JsonNode error = assertClean(http.post("/v1/completions", "{\"model\":\"" + name + "\",\"prompt\":\"hi\"}"), 404, "model_not_found");
        assertTrue(error.get("message").asText().contains("(1048576 characters)"), error.toString());
    }

    @Test
    void jsonRoutesTakeOnlyJson() {
        for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                "application/json; charset=latin1", "application/jsonx"}) {
            HttpRequest r = http.builder("/v1/completions").header("Content-Type", type)
                    .POST(HttpRequest.BodyPublishers.ofString(OK)).build();
            assertClean(http.send(r), 415, "unsupported_media_type");
        }
        HttpRequest none = http.builder("/tokenize").POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"hi\"}")).build();
        assertClean(http.send(none), 415, "unsupported_media_type");
        HttpRequest utf8 = http.builder("/tokenize").header("Content-Type", "Application/JSON; charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"hi\"}")).build();
        assertEquals(200, http.send(utf8).status());
    }

    /**
     * Texts longer than the context could hold are refused before they reach the tokenizer, on
     * every route that tokenizes, while a normal chat goes on being answered.
     */
    @Test
    void oversizedTextsAre413AndTheEngineServesMeanwhile() throws Exception {
        int maxModelLen = ENGINE.model().maxModelLen();
        // Far over what the context holds, under the JSON string limit: the tokenizer's own bound refuses it.
        String text = "word ".repeat(200_000);
        List<CompletableFuture<Http.Reply>> floods = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            floods.add(CompletableFuture.supplyAsync(() -> http.post("/tokenize", "{\"prompt\":\"" + text + "\"}")));
        }
        String chat = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":3,\"ignore_eos\":true}";
        for (int i = 0; i < 3; i++) assertEquals(200, http.post("/v1/chat/completions", chat).status());
        for (CompletableFuture<Http.Reply> f : floods) {
            JsonNode error = assertClean(f.get(), 413, "request_too_large");
            assertEquals("prompt", error.get("param").asText());
            assertTrue(error.get("message").asText().contains(maxModelLen + " tokens"), error.toString());
        }
        assertClean(http.post("/v1/completions", "{\"prompt\":\"" + text + "\"}"), 413, "request_too_large");
        assertClean(http.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}"),
                413, "request_too_large");
        int[] ids = new int[maxModelLen + 1];
        Arrays.fill(ids, 5);
        assertClean(http.post("/detokenize", "{\"tokens\":" + Arrays.toString(ids) + "}"), 413, "request_too_large");
        assertEquals(200, http.post("/detokenize", "{\"tokens\":" + Arrays.toString(Arrays.copyOf(ids, maxModelLen)) + "}").status());
    }

    /**
     * The bound is loose enough for any prompt that fits: the vocabulary's longest token, repeated to
     * fill the context, the most characters a prompt that fits can have, passes it.
     */
    @Test
    void theTextBoundNeverRefusesAPromptThatFits() {
        Tokenizer tokenizer = ENGINE.model().tokenizer().orElseThrow();
        String longest = "";
        for (int id = 0; id < tokenizer.vocabSize(); id++) {
            if (tokenizer.isSpecial(id)) continue;
            String text = tokenizer.decode(new int[] {id}, false);
            if (text.length() > longest.length() && !text.contains("\\") && !text.contains("\"")) longest = text;
        }
        String fills = longest.repeat(ENGINE.model().maxModelLen() - 2);
        Http.Reply r = http.post("/tokenize", Http.JSON.createObjectNode().put("prompt", fills).toString());
        assertEquals(200, r.status(), "a text of " + fills.length() + " characters: " + r.body().substring(0, Math.min(300, r.body().length())));
    }
}
