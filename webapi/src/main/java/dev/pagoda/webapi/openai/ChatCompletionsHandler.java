package dev.pagoda.webapi.openai;

import dev.pagoda.engine.api.GenerationRequest;
import dev.pagoda.engine.api.SampleDelta;
import dev.pagoda.engine.api.StreamEvent;
import dev.pagoda.engine.api.TokenLogprobs;
import dev.pagoda.engine.sample.SamplingParams;
import dev.pagoda.webapi.openai.tools.AssistantOutput;
import dev.pagoda.webapi.openai.tools.ToolRequest;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/chat/completions}: the conversation rendered by the model's template, n choices,
 * each choice's text made into a message (reasoning, content, tool calls) by {@link AssistantOutput}.
 */
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
        ToolRequest tools = ToolRequest.read(f::node);
        ChatPrompt prompt = ChatPrompt.read(f, model, false, tools);
        RequestOptions options = RequestOptions.read(f);
        AssistantOutput output = AssistantOutput.forRequest(tools, api.toolParsing(), ChatPrompt.templateKwargs(f),
                sampling.structuredOutput() != null);
        output.constraint().ifPresent(c -> sampling.constrainTo(c, "tool_choice"));
        if (output.keepsSpecialTokens()) sampling.builder().skipSpecialTokens(false);
        SamplingParams params = sampling.build(model, prompt.ids().length);
        String id = options.responseId("chatcmpl-");
        long created = Instant.now().getEpochSecond();
        var request = new GenerationRequest(id, prompt.ids(), params, options.priority());
        try (Submission submission = Submission.submit(model.engine(), api.metrics(), List.of(request), SamplingFields.Api.CHAT)) {
            Submission.Part part = submission.parts().getFirst();
            var texts = options.tokenTexts(model.info().tokenizer());
            if (sampling.stream()) {
                stream(submission, part, new Chunks(id, created, model.name()), params, texts, output,
                        new EventStream(res), sampling.includeUsage());
            } else {
                res.send(whole(submission, part, id, created, params, texts, output, prompt.ids()));
            }
        }
    }

    private ChatJson.Completion whole(Submission submission, Submission.Part part, String id, long created,
            SamplingParams params, TokenTexts texts, AssistantOutput output, int[] promptIds) {
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
            AssistantOutput.Message m = output.whole(c.text());
            choices.add(new ChatJson.Choice(i, new ChatJson.Message(ASSISTANT, m.content(), null, m.toolCalls(), m.reasoningContent()),
                    lp, output.finishReason(c.finishReason(), !m.toolCalls().isEmpty()), c.stopReason()));
        }
        return new ChatJson.Completion(id, ChatJson.OBJECT, created, model.name(), choices, submission.usage(), null,
                params.promptLogprobs() == null ? null : texts.promptLogprobs(promptIds, scored));
    }

    /** vLLM's order: a role chunk per choice, content chunks as tokens come, then usage if asked, then [DONE]. */
    private void stream(Submission submission, Submission.Part part, Chunks chunks, SamplingParams params,
            TokenTexts texts, AssistantOutput output, EventStream out, boolean includeUsage) {
        List<AssistantOutput.Stream> messages = new ArrayList<>();
        for (int i = 0; i < params.n(); i++) {
            messages.add(output.stream());
            out.data(chunks.of(new ChatJson.ChunkChoice(i, new ChatJson.Delta(ASSISTANT, "", null, null), null, null, null)));
        }
        for (StreamEvent e; (e = submission.next(part)) != null; ) {
            if (e.error() != null) {
                out.error(Submission.engineFailure(e.error()).error());
                out.done();
                return;
            }
            for (SampleDelta d : e.deltas()) {
                AssistantOutput.Stream message = messages.get(d.index());
                AssistantOutput.Delta piece = d.finishReason() == null ? message.next(d.text()) : message.finish(d.text());
                if (piece.isEmpty() && d.finishReason() == null && d.logprobs().isEmpty()) continue;
                ChatJson.ChatLogprobs lp = params.logprobs() == null ? null : texts.chat(d.tokenIds(), d.logprobs());
                String finish = d.finishReason() == null ? null
                        : output.finishReason(d.finishReason().apiName(), message.calledTools());
                var delta = new ChatJson.Delta(null, piece.content(), piece.reasoningContent(), piece.toolCalls());
                out.data(chunks.of(new ChatJson.ChunkChoice(d.index(), delta, lp, finish, d.stopReason())));
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
