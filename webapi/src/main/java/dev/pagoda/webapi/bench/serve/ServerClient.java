package dev.pagoda.webapi.bench.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The benchmark's HTTP side over java.net.http: plain JSON calls for setup, and timed streaming
 * requests. HTTP/1.1 as vLLM's client speaks it, one connection per request in flight.
 */
final class ServerClient {

    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private final String base; // no trailing slash: routes are appended, so a path prefix in --base-url stays
    private final Optional<String> apiKey;

    ServerClient(URI base, Optional<String> apiKey) {
        this.base = base.toString().replaceAll("/+$", "");
        this.apiKey = apiKey;
    }

    /** The first model {@code /v1/models} lists. */
    String firstModel() {
        JsonNode models = call(request("/v1/models").GET().build()).path("data");
        if (models.isEmpty()) throw new IllegalStateException(base + "/v1/models lists no model; pass --model");
        return models.get(0).path("id").asText();
    }

    /** The context length the server reports for {@code model}, if it says. */
    Optional<Integer> maxModelLen(String model) {
        for (JsonNode m : call(request("/v1/models").GET().build()).path("data")) {
            if (m.path("id").asText().equals(model) && m.path("max_model_len").isInt()) return Optional.of(m.get("max_model_len").asInt());
        }
        return Optional.empty();
    }

    /** vLLM's {@code /tokenize}: the ids of {@code body} (a prompt or chat messages). */
    int[] tokenize(JsonNode body) {
        JsonNode tokens = call(post("/tokenize", body)).path("tokens");
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = tokens.get(i).asInt();
        return ids;
    }

    /** Sends one streaming request and times its chunks; never throws for what the server or network does. */
    RequestResult stream(Endpoint endpoint, JsonNode body, int plannedPromptTokens) {
        long start = System.nanoTime();
        try {
            HttpResponse<Stream<String>> response = http.send(post(endpoint.path(), body), HttpResponse.BodyHandlers.ofLines());
            try (Stream<String> lines = response.body()) {
                if (response.statusCode() != 200) {
                    String text = String.join("\n", lines.toList());
                    return RequestResult.failed(plannedPromptTokens, (System.nanoTime() - start) / 1e9,
                            "HTTP " + response.statusCode() + ": " + StreamTimeline.abbreviate(text));
                }
                StreamTimeline timeline = new StreamTimeline(endpoint, start);
                for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
                    String line = it.next();
                    timeline.line(line, System.nanoTime());
                }
                return timeline.finish(plannedPromptTokens, System.nanoTime());
            }
        } catch (IOException | RuntimeException e) {
            return RequestResult.failed(plannedPromptTokens, (System.nanoTime() - start) / 1e9, describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return RequestResult.failed(plannedPromptTokens, (System.nanoTime() - start) / 1e9, "interrupted");
        }
    }

    private JsonNode call(HttpRequest request) {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach " + request.uri() + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling " + request.uri(), e);
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException(request.method() + " " + request.uri() + " answered HTTP " + response.statusCode()
                    + ": " + StreamTimeline.abbreviate(response.body()));
        }
        try {
            return JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(request.uri() + " did not answer JSON: " + StreamTimeline.abbreviate(response.body()), e);
        }
    }

    private HttpRequest post(String path, JsonNode body) {
        return request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        apiKey.ifPresent(key -> b.header("Authorization", "Bearer " + key));
        return b;
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + message;
    }
}
