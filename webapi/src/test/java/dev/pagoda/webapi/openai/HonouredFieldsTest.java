package dev.pagoda.webapi.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.engine.core.LocalEngine;
import dev.pagoda.engine.sched.SchedulingPolicy;
import dev.pagoda.webapi.server.PagodaServer;
import dev.pagoda.webapi.server.ServerOptions;
import dev.pagoda.webapi.testing.FixtureModel;
import dev.pagoda.webapi.testing.Http;
import dev.pagoda.webapi.testing.RealEngines;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * vLLM's fields the engine already has, on a server started as {@code --scheduling-policy priority
 * --max-logprobs 3 --max-num-seqs 1}: priority orders the queue, the logprob limit is the flag's,
 * completions default to 16 tokens, {@code GET /v1/models/{id}}, request_id and
 * return_tokens_as_token_ids shape the response.
 */
@ServerTest
class HonouredFieldsTest {

    static final int MAX_LOGPROBS = 3;
    static final LocalEngine ENGINE = RealEngines.start(c -> c.schedulingPolicy(SchedulingPolicy.PRIORITY)
            .maxLogprobs(MAX_LOGPROBS).maxNumSeqs(1));

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        PagodaServer.routing(routing, ENGINE, ServerOptions.local());
    }

    @AfterAll
    static void closeEngine() {
        ENGINE.close();
    }

    private final Http http;

    HonouredFieldsTest(URI uri) {
        http = new Http(uri, null);
    }

    static final String CHAT = "/v1/chat/completions";
    static final String COMPLETIONS = "/v1/completions";

    @AfterEach
    void engineStillServes() {
        Http.Reply r = http.post(CHAT, StrictFieldsTest.body(CHAT, ""));
        assertEquals(200, r.status(), r.body());
    }

    @Test
    void completionsWithoutMaxTokensGenerateSixteen() {
        Http.Reply r = http.post(COMPLETIONS, "{\"prompt\":\"sixteen tokens please\",\"temperature\":0,\"ignore_eos\":true}");
        assertEquals(200, r.status(), r.body());
        assertEquals(16, r.json().at("/usage/completion_tokens").asInt(), r.body());
        assertEquals("length", r.json().at("/choices/0/finish_reason").asText());
    }

    @Test
    void modelById() {
        Http.Reply card = http.get("/v1/models/" + FixtureModel.NAME);
        assertEquals(200, card.status(), card.body());
        JsonNode listed = http.get("/v1/models").json().at("/data/0");
        assertEquals(listed, card.json(), "the same card as in the list");
        assertEquals("model", card.json().get("object").asText());

        for (String unknown : new String[] {"gpt-4o", "org/some-model", FixtureModel.NAME + "x"}) {
            Http.Reply r = http.get("/v1/models/" + unknown);
            assertEquals(404, r.status(), r.body());
            assertEquals("model_not_found", r.json().at("/error/code").asText(), r.body());
            assertEquals(unknown, r.json().at("/error/message").asText().replaceAll("^The model '(.*)' does not exist\\.$", "$1"));
        }
    }

    @Test
    void logprobLimitIsTheFlags() {
        String chatAt = "\"logprobs\":true,\"top_logprobs\":";
        assertEquals(200, http.post(CHAT, StrictFieldsTest.body(CHAT, chatAt + MAX_LOGPROBS)).status());
        assertRefused(http.post(CHAT, StrictFieldsTest.body(CHAT, chatAt + (MAX_LOGPROBS + 1))), "top_logprobs");
        assertEquals(200, http.post(COMPLETIONS, StrictFieldsTest.body(COMPLETIONS, "\"logprobs\":" + MAX_LOGPROBS)).status());
        assertRefused(http.post(COMPLETIONS, StrictFieldsTest.body(COMPLETIONS, "\"logprobs\":" + (MAX_LOGPROBS + 1))), "logprobs");
        assertRefused(http.post(COMPLETIONS, StrictFieldsTest.body(COMPLETIONS, "\"prompt_logprobs\":" + (MAX_LOGPROBS + 1))),
                "prompt_logprobs");
    }

    @Test
    void lowerPriorityValueRunsFirst() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        ENGINE.pause();
        CompletableFuture<Long> late;
        CompletableFuture<Long> urgent;
        try {
            late = send(client, 10); // arrives first, with the worse priority
            waitForWaiting(1);
            urgent = send(client, -5);
            waitForWaiting(2);
        } finally {
            ENGINE.resume();
        }
        long urgentDone = urgent.get(60, TimeUnit.SECONDS);
        long lateDone = late.get(60, TimeUnit.SECONDS);
        assertTrue(urgentDone < lateDone, "one sequence at a time: priority -5 ends before priority 10, which came first");
    }

    @Test
    void requestIdNamesTheResponseAndTokensAsIds() {
        Http.Reply r = http.post(COMPLETIONS, StrictFieldsTest.body(COMPLETIONS,
                "\"request_id\":\"my-id-7\",\"logprobs\":1,\"return_tokens_as_token_ids\":true"));
        assertEquals(200, r.status(), r.body());
        assertEquals("cmpl-my-id-7", r.json().get("id").asText());
        for (JsonNode t : r.json().at("/choices/0/logprobs/tokens")) assertTrue(t.asText().matches("token_id:\\d+"), r.body());
        Http.Reply chat = http.post(CHAT, StrictFieldsTest.body(CHAT, "\"request_id\":\"abc\""));
        assertEquals("chatcmpl-abc", chat.json().get("id").asText());
    }

    private CompletableFuture<Long> send(HttpClient client, int priority) {
        HttpRequest request = http.builder(COMPLETIONS).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(StrictFieldsTest.body(COMPLETIONS, "\"priority\":" + priority)
                        .replace("\"max_tokens\":2", "\"max_tokens\":12")))
                .build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
            if (r.statusCode() != 200) throw new AssertionError(r.body());
            return System.nanoTime();
        });
    }

    private static void waitForWaiting(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (ENGINE.state().queues().waiting() < n) {
            if (System.nanoTime() > deadline) throw new AssertionError("requests did not reach the engine's queue");
            Thread.sleep(10);
        }
    }

    private static void assertRefused(Http.Reply r, String param) {
        assertEquals(400, r.status(), r.body());
        assertEquals(param, r.json().at("/error/param").asText(), r.body());
    }
}
