package dev.pagoda.webapi.openai;

import dev.pagoda.engine.api.GenerationRequest;
import dev.pagoda.engine.api.InferenceEngine;
import dev.pagoda.engine.api.RequestStream;
import dev.pagoda.engine.api.StreamEvent;
import dev.pagoda.engine.api.Usage;
import dev.pagoda.engine.sample.InvalidSamplingParamsException;
import dev.pagoda.webapi.metrics.RequestLatencies;
import dev.pagoda.webapi.metrics.VllmMetrics;
import dev.pagoda.webapi.server.ApiException;
import dev.pagoda.webapi.server.OpenAiError;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine requests of one HTTP request (one per prompt) and their streams. Everything is
 * submitted before the first byte of the response, so a rejection (bad parameter, full queue) still
 * gets its own status. {@link #close()} aborts whatever has not finished: a client that went away, a
 * failed write, a thrown exception all free their blocks.
 */
final class Submission implements AutoCloseable {

    /** One prompt's stream; {@code choiceOffset} turns its sample indices into the response's choice indices. */
    record Part(RequestStream stream, int choiceOffset, RequestLatencies latencies) {}

    private final List<Part> parts = new ArrayList<>();
    private final List<Usage> usages = new ArrayList<>();

    /** @param api names the fields in the engine's rejections as the route spells them */
    static Submission submit(InferenceEngine engine, VllmMetrics metrics, List<GenerationRequest> requests, SamplingFields.Api api) {
        Submission s = new Submission();
        try {
            int offset = 0;
            for (GenerationRequest r : requests) {
                s.parts.add(new Part(engine.submit(r), offset, metrics.newRequest()));
                offset += r.params().n();
            }
            return s;
        } catch (InvalidSamplingParamsException e) {
            s.close();
            // chat asks for top logprobs with top_logprobs; the engine calls the count logprobs
            if (api == SamplingFields.Api.CHAT && e.parameter().equals("logprobs")) {
                throw ApiException.invalidValue("top_logprobs", e.getMessage());
            }
            throw e;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    List<Part> parts() {
        return parts;
    }

    /**
     * The next event of {@code part}, null once it has ended; feeds the latency metrics and
     * collects the usage. An event with an error is handed over like any other; callers decide how
     * to report it.
     */
    StreamEvent next(Part part) {
        StreamEvent event;
        try {
            event = part.stream().next();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, new OpenAiError("The server is shutting down.", OpenAiError.SERVER, null, null));
        }
        if (event == null) return null;
        int tokens = event.deltas().stream().mapToInt(d -> d.tokenIds().length).sum();
        part.latencies().tokens(tokens, System.nanoTime());
        if (event.finished()) {
            part.latencies().finished(event.timings());
            if (event.usage() != null) usages.add(event.usage());
        }
        return event;
    }

    /** Usage summed over the prompts; complete once every part has ended. */
    UsageJson usage() {
        return UsageJson.sum(usages);
    }

    static ApiException engineFailure(String error) {
        return new ApiException(500, new OpenAiError("The engine failed on this request: " + error,
                OpenAiError.SERVER, null, null));
    }

    @Override
    public void close() {
        for (Part p : parts) p.stream().close();
    }
}
