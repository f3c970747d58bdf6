package dev.pagoda.webapi.bench.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one OpenAI SSE stream line by line, stamping when text arrives. A chunk counts as output
 * only when it carries new text: chat servers send the role chunk before any token exists, and
 * timing the first token from it would make TTFT meaningless.
 */
final class StreamTimeline {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Endpoint endpoint;
    private final long startNanos;
    private long firstTextNanos = -1;
    private long lastTextNanos = -1;
    private final List<Double> itl = new ArrayList<>();
    private Integer promptTokens;
    private Integer completionTokens;
    private boolean done;
    private long endNanos = -1;
    private String error;

    StreamTimeline(Endpoint endpoint, long startNanos) {
        this.endpoint = endpoint;
        this.startNanos = startNanos;
    }

    /** One line of the body, received at {@code nowNanos}. */
    void line(String line, long nowNanos) {
        if (!line.startsWith("data:") || error != null) return; // blank separators, SSE comments
        String data = line.substring(5).strip();
        if (data.equals("[DONE]")) {
            done = true;
            endNanos = nowNanos;
            return;
        }
        if (done) {
            error = "data after [DONE]";
            return;
        }
        JsonNode chunk;
        try {
            chunk = JSON.readTree(data);
        } catch (JsonProcessingException e) {
            error = "a stream chunk is not JSON: " + abbreviate(data);
            return;
        }
        if (chunk.has("error")) {
            error = "error in stream: " + chunk.get("error").path("message").asText(chunk.get("error").toString());
            return;
        }
        JsonNode usage = chunk.path("usage");
        if (usage.isObject()) {
            promptTokens = usage.path("prompt_tokens").asInt();
            completionTokens = usage.path("completion_tokens").asInt();
        }
        for (JsonNode choice : chunk.path("choices")) {
            JsonNode text = endpoint == Endpoint.CHAT ? choice.path("delta").path("content") : choice.path("text");
            if (text.isTextual() && !text.textValue().isEmpty()) {
                if (firstTextNanos < 0) {
                    firstTextNanos = nowNanos;
                } else {
                    itl.add((nowNanos - lastTextNanos) / 1e9);
                }
                lastTextNanos = nowNanos;
                break; // one stamp per chunk, as vLLM times chunks, not choices
            }
        }
    }

    /** The request's record once the body has ended at {@code nowNanos}. */
    RequestResult finish(int plannedPromptTokens, long nowNanos) {
        double latency = ((done ? endNanos : nowNanos) - startNanos) / 1e9;
        String problem = error != null ? error
                : !done ? "the stream ended without data: [DONE]"
                : firstTextNanos < 0 ? "the stream carried no text"
                : completionTokens == null ? "the stream carried no usage (stream_options.include_usage was ignored)"
                : null;
        int prompt = promptTokens != null ? promptTokens : plannedPromptTokens;
        if (problem != null) return RequestResult.failed(prompt, latency, problem);
        return new RequestResult(true, prompt, completionTokens, (firstTextNanos - startNanos) / 1e9, itl, latency, null);
    }

    static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
