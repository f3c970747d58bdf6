package dev.pagoda.webapi.openai;

import dev.pagoda.engine.api.GenerationRequest;
import dev.pagoda.engine.api.SampleDelta;
import dev.pagoda.engine.api.StreamEvent;
import dev.pagoda.engine.request.TokenLogprobs;
import dev.pagoda.engine.sample.SamplingParams;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code POST /v1/chat/completions}: the conversation rendered by the model's template, n choices. */
final class ChatCompletionsHandler implements Handler {

    private static final String ASSISTANT = "assistant";

    private final ApiContext api;
    private final ServedModel model;

    ChatCompletionsHandler(ApiContext api) {
        this.api = api;
        this.model = api.model();
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        Fields f = api.fields(req, RequestFields.Route.CHAT);
        SamplingFields sampling = SamplingFields.read(f, SamplingFields.Api.CHAT, model.info().generationDefaults());
        ChatPrompt prompt = ChatPrompt.read(f, model, false);
        RequestOptions options = RequestOptions.read(f);
        SamplingParams params = sampling.build(model, prompt.ids().length);
        String id = options.responseId("chatcmpl-");
        long created = Instant.now().getEpochSecond();
        var request = new GenerationRequest(id, prompt.ids(), params, options.priority());
        try (Submission submission = Submission.submit(model.engine(), api.metrics(), List.of(request), SamplingFields.Api.CHAT)) {
            Submission.Part part = submission.parts().getFirst();
            var texts = options.tokenTexts(model.info().tokenizer());
            if (sampling.stream()) {
                stream(submission, part, new Chunks(id, created, model.name()), params, texts,
                        new EventStream(res), sampling.includeUsage());
            } else {
                res.send(whole(submission, part, id, created, params, texts, prompt.ids()));
            }
        }
    }

    private ChatJson.Completion whole(Submission submission, Submission.Part part, String id, long created,
            SamplingParams params, TokenTexts texts, int[] promptIds) {
        Map<Integer, ChoiceText> byIndex = new HashMap<>();
        List<TokenLogprobs> scored = List.of();
        for (StreamEvent e; (e = submission.next(part)) != null; ) {
            if (e.error() != null) throw Submission.engineFailure(e.error());
            if (!e.promptLogprobs().isEmpty()) scored = e.promptLogprobs();
            for (SampleDelta d : e.deltas()) byIndex.computeIfAbsent(d.index(), i -> new ChoiceText()).add(d);
        }
        List<ChatJson.Choice> choices = new ArrayList<>();
        for (int i = 0; i < params.n(); i++) {
            ChoiceText c = byIndex.getOrDefault(i, new ChoiceText());
            ChatJson.ChatLogprobs lp = params.logprobs() == null ? null : texts.chat(c.tokenIds(), c.logprobs());
            choices.add(new ChatJson.Choice(i, new ChatJson.Message(ASSISTANT, c.text(), null), lp,
                    c.finishReason(), c.stopReason()));
        }
        return new ChatJson.Completion(id, ChatJson.OBJECT, created, model.name(), choices, submission.usage(), null,
                params.promptLogprobs() == null ? null : texts.promptLogprobs(promptIds, scored));
    }

    /** vLLM's order: a role chunk per choice, content chunks as tokens come, then usage if asked, then [DONE]. */
    private void stream(Submission submission, Submission.Part part, Chunks chunks, SamplingParams params,
            TokenTexts texts, EventStream out, boolean includeUsage) {
        for (int i = 0; i < params.n(); i++) {
            out.data(chunks.of(new ChatJson.ChunkChoice(i, new ChatJson.Delta(ASSISTANT, ""), null, null, null)));
        }
        for (StreamEvent e; (e = submission.next(part)) != null; ) {
            if (e.error() != null) {
                out.error(Submission.engineFailure(e.error()).error());
                out.done();
                return;
            }
            for (SampleDelta d : e.deltas()) {
                if (d.text().isEmpty() && d.finishReason() == null && d.logprobs().isEmpty()) continue;
                ChatJson.ChatLogprobs lp = params.logprobs() == null ? null : texts.chat(d.tokenIds(), d.logprobs());
                String finish = d.finishReason() == null ? null : d.finishReason().apiName();
                out.data(chunks.of(new ChatJson.ChunkChoice(d.index(), new ChatJson.Delta(null, d.text()), lp,
                        finish, d.stopReason())));
            }
        }
        if (includeUsage) out.data(chunks.usage(submission.usage()));
        out.done();
    }

    /** The fixed part of every chunk of one response. */
    private record Chunks(String id, long created, String model) {
        ChatJson.Chunk of(ChatJson.ChunkChoice choice) {
            return new ChatJson.Chunk(id, ChatJson.CHUNK_OBJECT, created, model, List.of(choice), null);
        }

        ChatJson.Chunk usage(UsageJson usage) {
            return new ChatJson.Chunk(id, ChatJson.CHUNK_OBJECT, created, model, List.of(), usage);
        }
    }
}
