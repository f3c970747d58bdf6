package dev.pagoda.webapi.openai;

import dev.pagoda.engine.api.GenerationRequest;
import dev.pagoda.engine.api.SampleDelta;
import dev.pagoda.engine.api.StreamEvent;
import dev.pagoda.engine.api.TokenLogprobs;
import dev.pagoda.engine.sample.SamplingParams;
import dev.pagoda.webapi.server.ApiException;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/completions}: one engine request per prompt, {@code n} choices each; choice
 * {@code i} of prompt {@code p} is choice {@code p * n + i} of the response, as in OpenAI and vLLM.
 * {@code best_of} samples that many and keeps the {@code n} with the highest cumulative logprob;
 * {@code echo} with {@code logprobs} asks the engine for the prompt's logprobs too.
 */
final class CompletionsHandler implements Handler {

    private final ApiContext api;
    private final ServedModel model;

    CompletionsHandler(ApiContext api) {
        this.api = api;
        this.model = api.model();
    }

    /**
     * How one request is answered beyond its sampling.
     *
     * @param n              choices returned per prompt
     * @param bestOf         candidates sampled per prompt (at least n)
     * @param echo           the prompt before each choice
     * @param logprobs       the client asked for logprobs (best_of asks the engine for them anyway)
     * @param promptLogprobs the client asked for prompt_logprobs (echo with logprobs has the engine score the prompt too)
     */
    private record Shape(int n, int bestOf, boolean echo, boolean logprobs, boolean promptLogprobs) {}

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        Fields f = api.fields(req, RequestFields.Route.COMPLETIONS);
        SamplingFields sampling = SamplingFields.read(f, SamplingFields.Api.COMPLETIONS, model.info().generationDefaults());
        Shape shape = shape(f, sampling);
        List<PromptInput> prompts = PromptInput.read(f, model, f.bool("add_special_tokens").orElse(true));
        RequestOptions options = RequestOptions.read(f);
        String id = options.responseId("cmpl-");
        List<GenerationRequest> requests = new ArrayList<>();
        for (int p = 0; p < prompts.size(); p++) {
            SamplingParams params = sampling.build(model, prompts.get(p).ids().length);
            // the engine's ids follow the response's, so logs and the panel name requests as clients see them
            requests.add(new GenerationRequest(id + "-" + p, prompts.get(p).ids(), params, options.priority()));
        }
        long created = Instant.now().getEpochSecond();
        TokenTexts texts = options.tokenTexts(model.info().tokenizer());
        try (Submission submission = Submission.submit(model.engine(), api.metrics(), requests, SamplingFields.Api.COMPLETIONS)) {
            var writer = new Writer(id, created, texts, prompts, shape);
            if (sampling.stream()) {
                writer.stream(submission, new EventStream(res), sampling.includeUsage());
            } else {
                res.send(writer.whole(submission));
            }
        }
    }

    /** best_of, echo and logprobs settled onto the sampling builder: candidates to sample, logprobs to compute. */
    private static Shape shape(Fields f, SamplingFields sampling) {
        SamplingParams.Builder b = sampling.builder();
        int n = f.integer("n").orElse(1);
        int bestOf = f.integer("best_of").orElse(n);
        if (bestOf < n) throw ApiException.invalidValue("best_of", "best_of must be greater than or equal to n, got best_of="
                + bestOf + " and n=" + n + ".");
        if (bestOf > SamplingFields.MAX_N) throw ApiException.invalidValue("best_of", "best_of must be at most " + SamplingFields.MAX_N + ", got " + bestOf + ".");
        if (bestOf > n && sampling.stream()) {
            throw ApiException.invalidValue("best_of", "best_of > n cannot be streamed: the best candidates are known only at the end.");
        }
        Integer logprobs = f.integer("logprobs").orElse(null);
        boolean echo = f.bool("echo").orElse(false);
        Integer asked = f.integer("prompt_logprobs").orElse(null);
        Integer scored = asked;
        if (echo && logprobs != null) scored = Math.max(logprobs, asked == null ? 0 : asked);
        b.n(bestOf).promptLogprobs(scored);
        if (bestOf > n && logprobs == null) b.logprobs(0); // ranking needs each token's logprob
        return new Shape(n, bestOf, echo, logprobs != null, asked != null);
    }

    /** Turns engine events into the response of one request. */
    private final class Writer {
        private final String id;
        private final long created;
        private final TokenTexts texts;
        private final List<PromptInput> prompts;
        private final Shape shape;

        Writer(String id, long created, TokenTexts texts, List<PromptInput> prompts, Shape shape) {
            this.id = id;
            this.created = created;
            this.texts = texts;
            this.prompts = prompts;
            this.shape = shape;
        }

        CompletionJson.Completion whole(Submission submission) {
            List<CompletionJson.Choice> choices = new ArrayList<>();
            for (int p = 0; p < submission.parts().size(); p++) {
                Submission.Part part = submission.parts().get(p);
                Map<Integer, ChoiceText> byIndex = new HashMap<>();
                List<TokenLogprobs> scored = List.of();
                for (StreamEvent e; (e = submission.next(part)) != null; ) {
                    if (e.error() != null) throw Submission.engineFailure(e.error());
                    if (!e.promptLogprobs().isEmpty()) scored = e.promptLogprobs();
                    for (SampleDelta d : e.deltas()) byIndex.computeIfAbsent(d.index(), i -> new ChoiceText()).add(d);
                }
                List<ChoiceText> kept = best(byIndex);
                PromptInput prompt = prompts.get(p);
                for (int i = 0; i < kept.size(); i++) {
                    ChoiceText c = kept.get(i);
                    CompletionJson.Logprobs lp = !shape.logprobs() ? null : shape.echo()
                            ? texts.echoed(prompt.ids(), scored, c.tokenIds(), c.logprobs())
                            : texts.completions(c.tokenIds(), c.logprobs(), 0);
                    choices.add(new CompletionJson.Choice(p * shape.n() + i, (shape.echo() ? prompt.text() : "") + c.text(), lp,
                            c.finishReason(), c.stopReason(), promptLogprobs(prompt, scored)));
                }
            }
            return new CompletionJson.Completion(id, CompletionJson.OBJECT, created, model.name(), choices, submission.usage());
        }

        /** The n candidates with the highest cumulative logprob, best first; all of them, in order, without best_of. */
        private List<ChoiceText> best(Map<Integer, ChoiceText> byIndex) {
            List<ChoiceText> all = new ArrayList<>();
            for (int i = 0; i < shape.bestOf(); i++) all.add(byIndex.getOrDefault(i, new ChoiceText()));
            if (shape.bestOf() == shape.n()) return all;
            all.sort(Comparator.comparingDouble(ChoiceText::cumulativeLogprob).reversed());
            return all.subList(0, shape.n());
        }

        private List<Map<String, CompletionJson.PromptLogprob>> promptLogprobs(PromptInput prompt, List<TokenLogprobs> scored) {
            return shape.promptLogprobs() ? texts.promptLogprobs(prompt.ids(), scored) : null;
        }

        /** Per choice: the echoed prompt (with its logprobs) once the engine's first event is in, then the deltas. */
        void stream(Submission submission, EventStream out, boolean includeUsage) {
            for (int p = 0; p < submission.parts().size(); p++) {
                Submission.Part part = submission.parts().get(p);
                PromptInput prompt = prompts.get(p);
                Map<Integer, Integer> offsets = new HashMap<>();
                boolean started = false;
                for (StreamEvent e; (e = submission.next(part)) != null; ) {
                    if (e.error() != null) {
                        out.error(Submission.engineFailure(e.error()).error());
                        out.done();
                        return;
                    }
                    if (!started) {
                        started = true;
                        start(out, p, prompt, e.promptLogprobs(), offsets);
                    }
                    for (SampleDelta d : e.deltas()) {
                        if (d.text().isEmpty() && d.finishReason() == null && d.logprobs().isEmpty()) continue;
                        int offset = offsets.getOrDefault(d.index(), 0);
                        CompletionJson.Logprobs lp = !shape.logprobs() || d.logprobs().isEmpty() ? null
                                : texts.completions(d.tokenIds(), d.logprobs(), offset);
                        offsets.put(d.index(), offset + (lp == null ? d.text().length()
                                : lp.tokens().stream().mapToInt(String::length).sum()));
                        out.data(chunk(new CompletionJson.Choice(p * shape.n() + d.index(), d.text(), lp,
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

        /** An echoing prompt's first chunk per choice, with the prompt's logprobs when asked, as vLLM streams it. */
        private void start(EventStream out, int p, PromptInput prompt, List<TokenLogprobs> scored, Map<Integer, Integer> offsets) {
            if (!shape.echo()) return;
            CompletionJson.Logprobs lp = shape.logprobs() ? texts.promptPart(prompt.ids(), scored) : null;
            int offset = lp != null ? lp.tokens().stream().mapToInt(String::length).sum() : prompt.text().length();
            for (int i = 0; i < shape.n(); i++) {
                out.data(chunk(new CompletionJson.Choice(p * shape.n() + i, prompt.text(), lp, null, null)));
                offsets.put(i, offset);
            }
        }

        private CompletionJson.Completion chunk(CompletionJson.Choice choice) {
            return new CompletionJson.Completion(id, CompletionJson.OBJECT, created, model.name(), List.of(choice), null);
        }
    }
}
