package dev.pagoda.webapi.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import dev.pagoda.catalog.chat.ChatContext;
import dev.pagoda.catalog.chat.ChatTemplates;
import dev.pagoda.catalog.tokenizer.Tokenizer;
import dev.pagoda.webapi.server.PagodaServer;
import dev.pagoda.webapi.server.ServerOptions;
import dev.pagoda.engine.core.LocalEngine;
import dev.pagoda.webapi.testing.FixtureModel;
import dev.pagoda.webapi.testing.RealEngines;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI Java SDK as the client: every response must parse into its types, with the
 * values an OpenAI client relies on. Expected values come from outside the server: the prompt ids
 * from the model's own template and tokenizer, chat output from the completions route given those
 * ids, stop behaviour from the same request without the stop.
 */
@ServerTest
class OpenAiSdkTest {

    static final String KEY = "sk-pagoda-test";
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
    private final OpenAIClient client;

    OpenAiSdkTest(URI uri) {
        this.uri = uri;
        this.client = client(KEY);
    }

    private OpenAIClient client(String key) {
        return OpenAIOkHttpClient.builder().baseUrl(uri + "/v1").apiKey(key).maxRetries(0).build();
    }

    private static ChatCompletionCreateParams.Builder chat(String userText, long maxTokens) {
        return ChatCompletionCreateParams.builder()
                .model(FixtureModel.NAME)
                .addSystemMessage("You are terse.")
                .addUserMessage(userText)
                .maxCompletionTokens(maxTokens)
                .temperature(0.0)
                .putAdditionalBodyProperty("ignore_eos", JsonValue.from(true)); // random fixture weights may say EOS
    }

    @Test
    void listsTheServedModel() {
        List<Model> models = client.models().list().data();
        assertEquals(1, models.size());
        Model m = models.getFirst();
        assertEquals(FixtureModel.NAME, m.id());
        assertEquals("pagoda", m.ownedBy());
        assertTrue(m.created() > 1_600_000_000L, "created is a Unix time: " + m.created());
    }

    @Test
    void chatCompletionRendersTheTemplateOnceAndAnswers() {
        ChatCompletion reply = client.chat().completions().create(chat("Name a colour.", 8).build());

        Tokenizer tokenizer = ENGINE.model().tokenizer().orElseThrow();
        ChatTemplates templates = ENGINE.model().chatTemplates().orElseThrow();
        String rendered = templates.forRequest(false).render(new ChatContext(List.of(
                Map.of("role", "system", "content", "You are terse."),
                Map.of("role", "user", "content", "Name a colour.")), true, null,
                templates.bosToken(), templates.eosToken(), Map.of()));
        int[] promptIds = tokenizer.encode(rendered, false);
        int bos = tokenizer.bosTokenId().orElseThrow();
        assertEquals(bos, promptIds[0], "the template writes BOS");
        assertNotEquals(bos, promptIds[1], "BOS must not be added a second time");

        assertTrue(reply.id().startsWith("chatcmpl-"), reply.id());
        assertEquals(FixtureModel.NAME, reply.model());
        assertEquals(1, reply.choices().size());
        ChatCompletion.Choice choice = reply.choices().getFirst();
        assertEquals(0, choice.index());
        assertEquals(ChatCompletion.Choice.FinishReason.LENGTH, choice.finishReason());
        var usage = reply.usage().orElseThrow();
        assertEquals(promptIds.length, usage.promptTokens());
        assertEquals(8, usage.completionTokens());
        assertEquals(promptIds.length + 8, usage.totalTokens());

        // Asked again, every whole block of the prompt but the one holding its last token is a prefix-cache hit.
        var again = client.chat().completions().create(chat("Name a colour.", 8).build()).usage().orElseThrow();
        int blockSize = ENGINE.model().cache().blockSize();
        assertEquals((promptIds.length - 1) / blockSize * blockSize, again.promptTokensDetails().orElseThrow().cachedTokens().orElseThrow());

        // The same ids through /v1/completions must give the same greedy text.
        Completion same = client.completions().create(CompletionCreateParams.builder()
                .model(FixtureModel.NAME)
                .promptOfArrayOfTokens(Arrays.stream(promptIds).mapToObj(i -> (long) i).toList())
                .maxTokens(8).temperature(0.0)
                .putAdditionalBodyProperty("ignore_eos", JsonValue.from(true)).build());
        String content = choice.message().content().orElseThrow();
        assertFalse(content.isEmpty());
        assertEquals(same.choices().getFirst().text(), content);
    }

    @Test
    void streamingChatSendsRoleThenContentThenUsage() {
        ChatCompletionCreateParams params = chat("Tell me a story.", 12)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunks::add);
        }
        String whole = client.chat().completions().create(chat("Tell me a story.", 12).build())
                .choices().getFirst().message().content().orElseThrow();

        assertTrue(chunks.size() >= 3, "role chunk, content chunks, usage chunk: " + chunks.size());
        String id = chunks.getFirst().id();
        assertTrue(id.startsWith("chatcmpl-"));
        chunks.forEach(c -> assertEquals(id, c.id(), "every chunk carries the response id"));
        var first = chunks.getFirst().choices().getFirst();
        assertEquals("assistant", first.delta().role().orElseThrow().asString());

        StringBuilder text = new StringBuilder();
        ChatCompletionChunk.Choice.FinishReason finish = null;
        for (ChatCompletionChunk c : chunks) {
            for (var ch : c.choices()) {
                ch.delta().content().ifPresent(text::append);
                if (ch.finishReason().isPresent()) finish = ch.finishReason().get();
            }
        }
        assertEquals(whole, text.toString(), "streamed deltas add up to the non-streamed answer");
        assertEquals(ChatCompletionChunk.Choice.FinishReason.LENGTH, finish);

        ChatCompletionChunk last = chunks.getLast();
        assertTrue(last.choices().isEmpty(), "the usage chunk has no choices");
        var usage = last.usage().orElseThrow();
        assertEquals(12, usage.completionTokens());
        assertEquals(usage.promptTokens() + 12, usage.totalTokens());
    }

    @Test
    void streamingCompletionsAddUpToTheWholeAnswer() {
        CompletionCreateParams params = CompletionCreateParams.builder()
                .model(FixtureModel.NAME).prompt("A streamed legacy completion").maxTokens(10).temperature(0.0)
                .putAdditionalBodyProperty("ignore_eos", JsonValue.from(true)).build();
        List<Completion> chunks = new ArrayList<>();
        try (StreamResponse<Completion> stream = client.completions().createStreaming(params)) {
            stream.stream().forEach(chunks::add);
        }
        Completion whole = client.completions().create(params);

        assertTrue(chunks.size() >= 2, "several chunks: " + chunks.size());
        String id = chunks.getFirst().id();
        assertTrue(id.startsWith("cmpl-"), id);
        StringBuilder text = new StringBuilder();
        CompletionChoice.FinishReason finish = null;
        for (Completion c : chunks) {
            assertEquals(id, c.id(), "every chunk carries the response id");
            for (CompletionChoice ch : c.choices()) {
                text.append(ch.text());
                // required in the SDK's type, null until the last chunk: read the raw field
                if (ch._finishReason().asKnown().isPresent()) finish = ch._finishReason().asKnown().get();
            }
        }
        assertEquals(whole.choices().getFirst().text(), text.toString());
        assertEquals(CompletionChoice.FinishReason.LENGTH, finish);
    }

    @Test
    void completionsWithTwoChoicesLogprobsAndStop() {
        String prompt = "Once upon a time";
        CompletionCreateParams.Builder base = CompletionCreateParams.builder()
                .model(FixtureModel.NAME).prompt(prompt).maxTokens(24).temperature(0.0)
                .putAdditionalBodyProperty("ignore_eos", JsonValue.from(true));
        String free = client.completions().create(base.build()).choices().getFirst().text();
        // A stop string taken from the middle of the free-running text: the stopped text must end right before it.
        int cut = free.length() / 2;
        String stop = free.substring(cut, cut + 2);
        int expectedEnd = free.indexOf(stop);
        assertTrue(expectedEnd > 0, "fixture text too short: '" + free + "'");

        Completion reply = client.completions().create(base.n(2).logprobs(2).stop(stop).build());

        assertTrue(reply.id().startsWith("cmpl-"), reply.id());
        assertEquals(2, reply.choices().size());
        for (int i = 0; i < 2; i++) {
            CompletionChoice c = reply.choices().get(i);
            assertEquals(i, c.index());
            assertEquals(free.substring(0, expectedEnd), c.text(), "choice " + i);
            assertEquals(CompletionChoice.FinishReason.STOP, c.finishReason());
            var lp = c.logprobs().orElseThrow();
            List<String> tokens = lp.tokens().orElseThrow();
            List<Double> tokenLps = lp.tokenLogprobs().orElseThrow();
            var tops = lp.topLogprobs().orElseThrow();
            assertEquals(tokens.size(), tokenLps.size());
            assertEquals(tokens.size(), tops.size());
            for (int t = 0; t < tokens.size(); t++) {
                Map<String, JsonValue> top = tops.get(t)._additionalProperties();
                assertTrue(top.size() >= 1 && top.size() <= 3, "2 top entries plus the sampled token: " + top);
                double best = top.values().stream().mapToDouble(v -> ((Number) v.asNumber().orElseThrow()).doubleValue()).max().orElseThrow();
                assertTrue(tokenLps.get(t) <= 0, "a log-probability is at most 0");
                assertEquals(best, tokenLps.get(t), 1e-6, "greedy picks the most likely token, position " + t);
            }
        }
        var usage = reply.usage().orElseThrow();
        int perChoice = reply.choices().getFirst().logprobs().orElseThrow().tokens().orElseThrow().size();
        assertEquals(2L * perChoice, usage.completionTokens());
    }

    @Test
    void chatLogprobsInTheChatFormat() {
        ChatCompletion reply = client.chat().completions().create(chat("Count to three.", 6).logprobs(true).topLogprobs(3).build());
        var content = reply.choices().getFirst().logprobs().orElseThrow().content().orElseThrow();
        assertEquals(6, content.size(), "one entry per generated token");
        for (int t = 0; t < content.size(); t++) {
            var token = content.get(t);
            assertEquals(3, token.topLogprobs().size(), "position " + t);
            assertEquals(token.token(), new String(toBytes(token.bytes().orElseThrow()), java.nio.charset.StandardCharsets.UTF_8),
                    "bytes are the token's UTF-8");
            double best = token.topLogprobs().getFirst().logprob();
            for (var top : token.topLogprobs()) assertTrue(top.logprob() <= best, "most likely first, position " + t);
            assertEquals(best, token.logprob(), 1e-6, "greedy picks the most likely token, position " + t);
        }
    }

    private static byte[] toBytes(List<Long> values) {
        byte[] out = new byte[values.size()];
        for (int i = 0; i < out.length; i++) out[i] = (byte) (long) values.get(i);
        return out;
    }

    @Test
    void wrongApiKeyIsUnauthorized() {
        UnauthorizedException e = assertThrows(UnauthorizedException.class,
                () -> client("sk-wrong").chat().completions().create(chat("hi", 2).build()));
        assertEquals(401, e.statusCode());
        assertEquals("invalid_api_key", e.code().orElseThrow());
        assertEquals("invalid_request_error", e.type().orElseThrow());
    }

    @Test
    void unknownModelIsNotFound() {
        NotFoundException e = assertThrows(NotFoundException.class,
                () -> client.chat().completions().create(chat("hi", 2).model("gpt-4o").build()));
        assertEquals(404, e.statusCode());
        assertEquals("model_not_found", e.code().orElseThrow());
        assertEquals("model", e.param().orElseThrow());
    }
}
