package dev.pagoda.webapi.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.catalog.tokenizer.Tokenizer;
import dev.pagoda.engine.core.LocalEngine;
import dev.pagoda.webapi.testing.FixtureModel;
import dev.pagoda.webapi.testing.RealEngines;
import dev.pagoda.webapi.testing.Http;
import dev.pagoda.webapi.testing.PrometheusText;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** CORS, the SSE wire format, /metrics values, /tokenize and /detokenize, batched prompts and echo. */
@ServerTest
class ServerFeaturesTest {

    static final String ORIGIN = "http://panel.test";
    static final LocalEngine ENGINE = RealEngines.start();

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        PagodaServer.routing(routing, ENGINE, ServerOptions.local().withApiKey("k").withAllowedOrigins(List.of(ORIGIN)));
    }

    @AfterAll
    static void closeEngine() {
        ENGINE.close();
    }

    private final Http http;
    private final Tokenizer tokenizer = ENGINE.model().tokenizer().orElseThrow();

    ServerFeaturesTest(URI uri) {
        http = new Http(uri, "k");
    }

    @Test
    void corsPreflightAndSimpleRequests() {
        HttpRequest preflight = HttpRequest.newBuilder(http.base().resolve("/v1/chat/completions"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", ORIGIN)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, content-type")
                .build();
        Http.Reply r = http.send(preflight); // no key: browsers send preflights without credentials
        assertEquals(200, r.status(), r.body());
        assertEquals(ORIGIN, r.headers().firstValue("access-control-allow-origin").orElseThrow());
        assertTrue(r.headers().firstValue("access-control-allow-methods").orElseThrow().contains("POST"));
        assertEquals("authorization, content-type", r.headers().firstValue("access-control-allow-headers").orElseThrow());

        Http.Reply allowed = http.send(http.builder("/v1/models").header("Origin", ORIGIN).GET().build());
        assertEquals(200, allowed.status());
        assertEquals(ORIGIN, allowed.headers().firstValue("access-control-allow-origin").orElseThrow());

        Http.Reply other = http.send(http.builder("/v1/models").header("Origin", "http://evil.test").GET().build());
        assertEquals(200, other.status());
        assertTrue(other.headers().firstValue("access-control-allow-origin").isEmpty(), "no CORS grant for other origins");
    }

    @Test
    void sseWireFormatIsOpenAis() {
        Http.Reply r = http.post("/v1/completions", "{\"prompt\":\"abc\",\"max_tokens\":4,\"temperature\":0,\"stream\":true}");
        assertEquals(200, r.status());
        assertTrue(r.headers().firstValue("content-type").orElseThrow().startsWith("text/event-stream"));
        assertTrue(r.body().startsWith("data: {\"id\":\"cmpl-"), r.body());
        assertTrue(r.body().endsWith("data: [DONE]\n\n"), r.body());
        List<String> events = r.events();
        StringBuilder text = new StringBuilder();
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode chunk = Http.JSON.valueToTree(parse(e));
            assertEquals("text_completion", chunk.get("object").asText());
            text.append(chunk.at("/choices/0/text").asText());
        }
        String whole = http.post("/v1/completions", "{\"prompt\":\"abc\",\"max_tokens\":4,\"temperature\":0}")
                .json().at("/choices/0/text").asText();
        assertEquals(whole, text.toString());
    }

    private static JsonNode parse(String json) {
        try {
            return Http.JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(json, e);
        }
    }

    @Test
    void metricsFollowTheEngineAndTheRequests() {
        PrometheusText before = PrometheusText.parse(http.get("/metrics").body());
        JsonNode reply = http.post("/v1/completions", "{\"prompt\":\"metrics please\",\"max_tokens\":5,\"temperature\":0,\"ignore_eos\":true}").json();
        Http.Reply scrape = http.get("/metrics");
        assertTrue(scrape.headers().firstValue("content-type").orElseThrow().startsWith("text/plain; version=0.0.4"));
        PrometheusText after = PrometheusText.parse(scrape.body());

        int prompt = reply.at("/usage/prompt_tokens").asInt();
        int cached = reply.at("/usage/prompt_tokens_details/cached_tokens").asInt();
        assertEquals(prompt - cached, delta(before, after, "vllm:prompt_tokens_total"));
        assertEquals(prompt, delta(before, after, "vllm:prefix_cache_queries_total"));
        assertEquals(cached, delta(before, after, "vllm:prefix_cache_hits_total"));
        assertEquals(5, delta(before, after, "vllm:generation_tokens_total"));
        assertEquals(1, after.value("vllm:request_success_total", "finished_reason", "length")
                - before.value("vllm:request_success_total", "finished_reason", "length"));
        for (String h : List.of("vllm:time_to_first_token_seconds_count", "vllm:e2e_request_latency_seconds_count",
                "vllm:request_queue_time_seconds_count")) {
            assertEquals(1, delta(before, after, h), h);
        }
        // 5 tokens: 4 gaps after the first token, fewer if the engine handed several tokens over at once.
        double gaps = delta(before, after, "vllm:inter_token_latency_seconds_count");
        assertTrue(gaps >= 1 && gaps <= 4, "inter-token samples: " + gaps);
        assertEquals(0, after.value("vllm:num_requests_running"));
        assertEquals(0, after.value("vllm:num_requests_waiting"));
        assertEquals(0, after.value("vllm:kv_cache_usage_perc"));
        assertEquals(0, after.value("vllm:num_preemptions_total"));
        assertEquals(1, after.value("vllm:cache_config_info", "block_size", "" + ENGINE.model().cache().blockSize(),
                "num_gpu_blocks", "" + ENGINE.model().cache().numBlocks()));
    }

    private static double delta(PrometheusText before, PrometheusText after, String name) {
        return after.value(name) - before.value(name);
    }

    @Test
    void tokenizeAndDetokenizeAgreeWithTheTokenizer() {
        String text = "Tokenize me, please: 123 ünïcödé";
        JsonNode t = http.post("/tokenize", "{\"prompt\":" + Http.JSON.valueToTree(text) + "}").json();
        int[] expected = tokenizer.encode(text, true);
        assertEquals(expected.length, t.get("count").asInt());
        assertEquals(ENGINE.model().maxModelLen(), t.get("max_model_len").asInt());
        int[] got = new int[expected.length];
        for (int i = 0; i < got.length; i++) got[i] = t.get("tokens").get(i).asInt();
        assertTrue(Arrays.equals(expected, got), Arrays.toString(got));
        JsonNode d = http.post("/detokenize", "{\"tokens\":" + Arrays.toString(got) + "}").json();
        assertEquals(tokenizer.decode(got, false), d.get("prompt").asText());
        assertTrue(d.get("prompt").asText().endsWith(text));
    }

    @Test
    void batchedPromptsWithSeveralChoicesEach() {
        String one = http.post("/v1/completions", "{\"prompt\":\"second\",\"max_tokens\":6,\"temperature\":0,\"ignore_eos\":true}")
                .json().at("/choices/0/text").asText();
        JsonNode both = http.post("/v1/completions",
                "{\"prompt\":[\"first\",\"second\"],\"n\":2,\"max_tokens\":6,\"temperature\":0,\"ignore_eos\":true}").json();
        JsonNode choices = both.get("choices");
        assertEquals(4, choices.size());
        for (int i = 0; i < 4; i++) assertEquals(i, choices.get(i).get("index").asInt());
        assertEquals(one, choices.get(2).get("text").asText(), "choices 2 and 3 belong to the second prompt");
        assertEquals(one, choices.get(3).get("text").asText());
        assertFalse(one.equals(choices.get(0).get("text").asText()), "the prompts differ, so do their answers");
        assertEquals(4 * 6, both.at("/usage/completion_tokens").asInt());
    }

    @Test
    void echoRepeatsThePrompt() {
        String free = http.post("/v1/completions", "{\"prompt\":\"echo this\",\"max_tokens\":3,\"temperature\":0}")
                .json().at("/choices/0/text").asText();
        String echoed = http.post("/v1/completions", "{\"prompt\":\"echo this\",\"max_tokens\":3,\"temperature\":0,\"echo\":true}")
                .json().at("/choices/0/text").asText();
        assertEquals("echo this" + free, echoed);
    }
}
