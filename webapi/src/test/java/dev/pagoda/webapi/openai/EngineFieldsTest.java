package dev.pagoda.webapi.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.catalog.chat.ChatContext;
import dev.pagoda.catalog.chat.ChatTemplates;
import dev.pagoda.catalog.tokenizer.Tokenizer;
import dev.pagoda.engine.core.LocalEngine;
import dev.pagoda.webapi.server.PagodaServer;
import dev.pagoda.webapi.server.ServerOptions;
import dev.pagoda.webapi.testing.Http;
import dev.pagoda.webapi.testing.RealEngines;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The vLLM fields that need the engine's work, over raw HTTP, each checked against the same model
 * asked another way: prompt_logprobs against the next-token logprobs of each prefix, echo with
 * logprobs against prompt_logprobs, best_of against the same seeded candidates asked with n,
 * continue_final_message against the template's own rendering of the unfinished turn.
 */
@ServerTest
class EngineFieldsTest {

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
    private final Tokenizer tokenizer = ENGINE.model().tokenizer().orElseThrow();

    EngineFieldsTest(URI uri) {
        http = new Http(uri, null);
    }

    @AfterEach
    void engineStillServes() {
        assertEquals(200, http.post("/v1/completions", "{\"prompt\":\"still\",\"max_tokens\":2}").status());
    }

    private static final int K = 4;

    @Test
    void promptLogprobsAreTheNextTokenLogprobsOfEachPrefix() {
        String prompt = "The quick brown fox jumps over";
        int[] ids = tokenizer.encode(prompt, true);
        JsonNode reply = post("/v1/completions", "{\"prompt\":" + ids(ids) + ",\"max_tokens\":1,\"prompt_logprobs\":" + K + "}");
        JsonNode scored = reply.at("/choices/0/prompt_logprobs");
        assertEquals(ids.length, scored.size(), reply.toString());
        assertTrue(scored.get(0).isNull(), "the first prompt token has no logprob");
        assertEquals(0, reply.at("/usage/prompt_tokens_details/cached_tokens").asInt(), "every position computed");
        for (int i = 1; i < ids.length; i++) {
            JsonNode entry = scored.get(i);
            assertTrue(entry.has(Integer.toString(ids[i])), "position " + i + " holds its prompt token: " + entry);
            // the same distribution: generation after the prefix ids[0..i), its first token's top logprobs
            JsonNode next = post("/v1/completions", "{\"prompt\":" + ids(Arrays.copyOf(ids, i)) + ",\"max_tokens\":1,"
                    + "\"temperature\":0,\"logprobs\":" + K + ",\"return_tokens_as_token_ids\":true}");
            JsonNode top = next.at("/choices/0/logprobs/top_logprobs/0");
            for (Iterator<Map.Entry<String, JsonNode>> it = top.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String id = e.getKey().substring("token_id:".length());
                assertTrue(entry.has(id), "position " + i + ": top token " + id + " in prompt_logprobs " + entry);
                assertEquals(e.getValue().asDouble(), entry.get(id).get("logprob").asDouble(), 1e-5, "position " + i + " token " + id);
            }
        }
        // chat puts them at the top level
        JsonNode chat = post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":1,"
                + "\"prompt_logprobs\":0}");
        int promptTokens = chat.at("/usage/prompt_tokens").asInt();
        assertEquals(promptTokens, chat.get("prompt_logprobs").size());
        assertEquals(1, chat.at("/prompt_logprobs/1").size(), "k = 0: the prompt token alone");
    }

    @Test
    void echoWithLogprobsPrependsThePromptsTokens() {
        String prompt = "Echo this prompt back";
        int[] ids = tokenizer.encode(prompt, true);
        String body = "{\"prompt\":\"" + prompt + "\",\"max_tokens\":3,\"temperature\":0,\"ignore_eos\":true,\"logprobs\":2";
        JsonNode echoed = post("/v1/completions", body + ",\"echo\":true}");
        JsonNode plain = post("/v1/completions", body + "}");
        JsonNode scored = post("/v1/completions", "{\"prompt\":\"" + prompt + "\",\"max_tokens\":1,\"prompt_logprobs\":2}")
                .at("/choices/0/prompt_logprobs");

        JsonNode lp = echoed.at("/choices/0/logprobs");
        assertEquals(prompt + plain.at("/choices/0/text").asText(), echoed.at("/choices/0/text").asText());
        assertEquals(ids.length + 3, lp.get("tokens").size(), lp.toString());
        assertTrue(lp.at("/token_logprobs/0").isNull() && lp.at("/top_logprobs/0").isNull(), "first prompt token: null, as OpenAI");
        for (int i = 0; i < ids.length; i++) {
            assertEquals(tokenizer.decode(new int[] {ids[i]}, false), lp.at("/tokens/" + i).asText(), "prompt token " + i);
            if (i > 0) {
                assertEquals(scored.get(i).get(Integer.toString(ids[i])).get("logprob").asDouble(),
                        lp.at("/token_logprobs/" + i).asDouble(), 1e-6, "prompt token " + i);
            }
        }
        JsonNode generated = plain.at("/choices/0/logprobs");
        for (int t = 0; t < 3; t++) {
            assertEquals(generated.at("/token_logprobs/" + t).asDouble(), lp.at("/token_logprobs/" + (ids.length + t)).asDouble(), 1e-6);
        }
        int offset = 0;
        for (int i = 0; i < lp.get("tokens").size(); i++) {
            assertEquals(offset, lp.at("/text_offset/" + i).asInt(), "offsets run on through prompt and completion");
            offset += lp.at("/tokens/" + i).asText().length();
        }

        // streamed: the echo chunk carries the prompt's part, the rest follows with offsets running on
        Http.Reply stream = http.post("/v1/completions", body + ",\"echo\":true,\"stream\":true}");
        List<JsonNode> chunks = stream.events().stream().filter(e -> !e.equals("[DONE]")).map(EngineFieldsTest::parse).toList();
        assertEquals(prompt, chunks.getFirst().at("/choices/0/text").asText());
        List<Double> streamedLps = new ArrayList<>();
        List<Integer> streamedOffsets = new ArrayList<>();
        for (JsonNode c : chunks) {
            JsonNode l = c.at("/choices/0/logprobs");
            if (l.isMissingNode() || l.isNull()) continue;
            l.get("token_logprobs").forEach(v -> streamedLps.add(v.isNull() ? null : v.asDouble()));
            l.get("text_offset").forEach(v -> streamedOffsets.add(v.asInt()));
        }
        List<Double> wholeLps = new ArrayList<>();
        lp.get("token_logprobs").forEach(v -> wholeLps.add(v.isNull() ? null : v.asDouble()));
        assertEquals(wholeLps, streamedLps);
        List<Integer> wholeOffsets = new ArrayList<>();
        lp.get("text_offset").forEach(v -> wholeOffsets.add(v.asInt()));
        assertEquals(wholeOffsets, streamedOffsets);
    }

    @Test
    void bestOfKeepsTheCandidatesWithTheHighestCumulativeLogprob() {
        String base = "{\"prompt\":\"Pick the best\",\"max_tokens\":6,\"temperature\":1.0,\"seed\":7,\"ignore_eos\":true";
        // the same seeded candidates, all four returned with their logprobs
        JsonNode all = post("/v1/completions", base + ",\"n\":4,\"logprobs\":0}");
        List<JsonNode> candidates = new ArrayList<>();
        all.get("choices").forEach(candidates::add);
        candidates.sort(Comparator.comparingDouble(EngineFieldsTest::cumulative).reversed());
        JsonNode best = post("/v1/completions", base + ",\"n\":2,\"best_of\":4}");
        assertEquals(2, best.get("choices").size());
        for (int i = 0; i < 2; i++) {
            assertEquals(i, best.at("/choices/" + i + "/index").asInt());
            assertEquals(candidates.get(i).get("text").asText(), best.at("/choices/" + i + "/text").asText(), "rank " + i);
            assertTrue(best.at("/choices/" + i + "/logprobs").isNull(), "logprobs not asked for, not returned");
        }
        assertEquals(all.at("/usage/completion_tokens").asInt(), best.at("/usage/completion_tokens").asInt(),
                "usage counts every candidate");
        assertEquals(400, http.post("/v1/completions", base + ",\"n\":3,\"best_of\":2}").status());
        assertEquals(400, http.post("/v1/completions", base + ",\"n\":1,\"best_of\":2,\"stream\":true}").status());
    }

    @Test
    void continueFinalMessageContinuesTheAssistantsTurn() {
        String partial = "The answer is";
        JsonNode reply = post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"What is it?\"},"
                + "{\"role\":\"assistant\",\"content\":\"" + partial + "\"}],\"add_generation_prompt\":false,"
                + "\"continue_final_message\":true,\"max_tokens\":5,\"temperature\":0,\"ignore_eos\":true}");
        // independently: the template's rendering of the user turn with its generation prompt, then the partial answer
        ChatTemplates t = ENGINE.model().chatTemplates().orElseThrow();
        String rendered = t.forRequest(false).render(new ChatContext(List.of(Map.of("role", "user", "content", "What is it?")),
                true, null, t.bosToken(), t.eosToken(), Map.of())) + partial;
        int[] expected = tokenizer.encode(rendered, false);
        assertEquals(expected.length, reply.at("/usage/prompt_tokens").asInt(), reply.toString());
        JsonNode same = post("/v1/completions", "{\"prompt\":" + ids(expected) + ",\"max_tokens\":5,\"temperature\":0,\"ignore_eos\":true}");
        assertEquals(same.at("/choices/0/text").asText(), reply.at("/choices/0/message/content").asText());

        Http.Reply both = http.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"assistant\",\"content\":\"x\"}],"
                + "\"continue_final_message\":true}");
        assertEquals(400, both.status(), "add_generation_prompt defaults to true: " + both.body());
        assertEquals("continue_final_message", both.json().at("/error/param").asText());
    }

    @Test
    void promptLogprobsCannotStream() {
        Http.Reply r = http.post("/v1/completions", "{\"prompt\":\"x\",\"prompt_logprobs\":1,\"stream\":true}");
        assertEquals(400, r.status(), r.body());
        assertEquals("prompt_logprobs", r.json().at("/error/param").asText());
    }

    private static double cumulative(JsonNode choice) {
        double sum = 0;
        for (JsonNode v : choice.at("/logprobs/token_logprobs")) sum += v.asDouble();
        return sum;
    }

    private JsonNode post(String path, String body) {
        Http.Reply r = http.post(path, body);
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    private static String ids(int[] ids) {
        return Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(",", "[", "]"));
    }

    private static JsonNode parse(String json) {
        try {
            return Http.JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(json, e);
        }
    }
}
