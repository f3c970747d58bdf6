package dev.pagoda.webapi.bench.serve;

import java.util.List;

/**
 * What one benchmark request saw, times in seconds as vLLM records them.
 *
 * @param promptTokens input tokens: the server's {@code usage.prompt_tokens}, else the planned length
 * @param outputTokens the server's {@code usage.completion_tokens}
 * @param ttft         from sending to the first chunk with new text
 * @param itl          gaps between successive chunks with new text
 * @param latency      from sending to the end of the stream
 * @param error        why it failed; null on success
 */
public record RequestResult(boolean success, int promptTokens, int outputTokens, double ttft, List<Double> itl,
        double latency, String error) {

    public RequestResult {
        itl = List.copyOf(itl);
    }

    public static RequestResult failed(int promptTokens, double latency, String error) {
        return new RequestResult(false, promptTokens, 0, 0, List.of(), latency, error);
    }
}
