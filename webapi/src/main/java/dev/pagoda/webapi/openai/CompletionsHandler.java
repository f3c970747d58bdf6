package dev.pagoda.webapi.openai;

import dev.pagoda.engine.api.GenerationRequest;
import dev.pagoda.engine.api.SampleDelta;
import dev.pagoda.engine.api.StreamEvent;
import dev.pagoda.engine.sample.SamplingParams;
import dev.pagoda.webapi.server.ApiException;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/completions}: one engine request per prompt, {@code n} choices each; choice
 * {@code i} of prompt {@code p} is choice {@code p * n + i} of the response, as in OpenAI and vLLM.
 */
final class CompletionsHandler implements Handler {

    private final ApiContext api;
    private final ServedModel model;

    CompletionsHandler(ApiContext api) {
        this.api = api;
        this.model = api.model();
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        Fields f = api.fields(req, RequestFields.Route.COMPLETIONS);
        SamplingFields sampling = SamplingFields.read(f, SamplingFields.Api.COMPLETIONS, model.info().generationDefaults());
        boolean echo = f.bool("echo").orElse(false);
        List<PromptInput> prompts = PromptInput.read(f, model, f.bool("add_special_tokens").orElse(true));
        RequestOptions options = RequestOptions.read(f);
        String id = options.responseId("cmpl-");
        String engineId = "cmpl-" + Ids.random();
        List<GenerationRequest> requests = new ArrayList<>();
        for (int p = 0; p < prompts.size(); p++) {
            SamplingParams params = sampling.build(model, prompts.get(p).ids().length);
            if (echo && params.logprobs() != null) {
                throw ApiException.invalidValue("echo", "echo together with logprobs is not supported: the engine "
                        + "returns no prompt logprobs.");
            }
            requests.add(new GenerationRequest(engineId + "-" + p, prompts.get(p).ids(), params, options.priority()));
        }
        long created = Instant.now().getEpochSecond();
        TokenTexts texts = options.tokenTexts(model.info().tokenizer());
        try (Submission submission = Submission.submit(model.engine(), api.metrics(), requests, SamplingFields.Api.COMPLETIONS)) {
            var writer = new Writer(id, created, texts, prompts, echo, requests.getFirst().params());
            if (sampling.stream()) {
                writer.stream(submission, new EventStream(res), sampling.includeUsage());
            } else {
                res.send(writer.whole(submission));
            }
        }
    }

    /** Turns engine events into the response of one request. */
    private final class Writer {
        private final String id;
        private final long created;
        private final TokenTexts texts;
        private final List<PromptInput> prompts;
        private final boolean echo;
        private final int n;
        private final boolean logprobs;

        Writer(String id, long created, TokenTexts texts, List<PromptInput> prompts, boolean echo, SamplingParams params) {
            this.id = id;
            this.created = created;
            this.texts = texts;
            this.prompts = prompts;
            this.echo = echo;
            this.n = params.n();
            this.logprobs = params.logprobs() != null;
        }

        CompletionJson.Completion whole(Submission submission) {
            List<CompletionJson.Choice> choices = new ArrayList<>();
            for (Submission.Part part : submission.parts()) {
                Map<Integer, ChoiceText> byIndex = new HashMap<>();
                for (StreamEvent e; (e = submission.next(part)) != null; ) {
                    if (e.error() != null) throw Submission.engineFailure(e.error());
                    for (SampleDelta d : e.deltas()) byIndex.computeIfAbsent(d.index(), i -> new ChoiceText()).add(d);
                }
                String prefix = echo ? prompts.get(part.choiceOffset() / n).text() : "";
                for (int i = 0; i < n; i++) {
                    ChoiceText c = byIndex.getOrDefault(i, new ChoiceText());
                    CompletionJson.Logprobs lp = !logprobs ? null
                            : texts.completions(c.tokenIds(), c.logprobs(), 0);
                    choices.add(new CompletionJson.Choice(part.choiceOffset() + i, prefix + c.text(), lp,
                            c.finishReason(), c.stopReason()));
                }
            }
            return new CompletionJson.Completion(id, CompletionJson.OBJECT, created, model.name(), choices, submission.usage());
        }

        void stream(Submission submission, EventStream out, boolean includeUsage) {
            for (Submission.Part part : submission.parts()) {
                Map<Integer, Integer> offsets = new HashMap<>();
                if (echo) {
                    String prompt = prompts.get(part.choiceOffset() / n).text();
                    for (int i = 0; i < n; i++) {
                        out.data(chunk(new CompletionJson.Choice(part.choiceOffset() + i, prompt, null, null, null)));
                        offsets.put(i, prompt.length());
                    }
                }
                for (StreamEvent e; (e = submission.next(part)) != null; ) {
                    if (e.error() != null) {
                        out.error(Submission.engineFailure(e.error()).error());
                        out.done();
                        return;
                    }
                    for (SampleDelta d : e.deltas()) {
                        if (d.text().isEmpty() && d.finishReason() == null && d.logprobs().isEmpty()) continue;
                        int offset = offsets.getOrDefault(d.index(), 0);
                        CompletionJson.Logprobs lp = d.logprobs().isEmpty() ? null
                                : texts.completions(d.tokenIds(), d.logprobs(), offset);
                        offsets.put(d.index(), offset + d.text().length());
                        out.data(chunk(new CompletionJson.Choice(part.choiceOffset() + d.index(), d.text(), lp,
                                d.finishReason() == null ? null : d.finishReason().apiName(), d.stopReason())));
                    }
                }
            }
            if (includeUsage) {
                out.data(new CompletionJson.Completion(id, CompletionJson.OBJECT, created, model.name(), List.of(),
                        submission.usage()));
            }
            out.done();
        }

        private CompletionJson.Completion chunk(CompletionJson.Choice choice) {
            return new CompletionJson.Completion(id, CompletionJson.OBJECT, created, model.name(), List.of(choice), null);
        }
    }
}
