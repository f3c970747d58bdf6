package dev.pagoda.gui.requests;

/**
 * One row of the request log.
 *
 * @param requestId    the engine's request id (the HTTP server's "cmpl-…" / "chatcmpl-…" ids)
 * @param promptTokens prompt length
 * @param outputTokens tokens generated so far, over all samples; on a finished request the usage's count
 * @param ttftSeconds  time to first token; NaN until the first token came
 * @param status       "running", or how it ended: "stop", "length", "abort", "error: …"
 * @param finished     the request's last event was seen
 */
public record RequestLogEntry(String requestId, int promptTokens, int outputTokens, double ttftSeconds, String status,
                              boolean finished) {}
