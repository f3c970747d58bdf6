package dev.pagoda.webapi.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.webapi.server.OpenAiError;
import io.helidon.http.sse.SseEvent;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.sse.SseSink;

/**
 * OpenAI's streaming wire format over Helidon's {@link SseSink}: each chunk a {@code data: {json}}
 * event, then {@code data: [DONE]}. A write to a client that has gone away throws, which unwinds the
 * handler and closes its engine streams (aborting them).
 */
final class EventStream {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SseSink sink;

    EventStream(ServerResponse res) {
        this.sink = res.sink(SseSink.TYPE);
    }

    void data(Object chunk) {
        try {
            emit(JSON.writeValueAsString(chunk));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("response chunk cannot be written as JSON", e);
        }
    }

    /** An error after the stream started: the status is already 200, so it goes in-band, as vLLM sends it. */
    void error(OpenAiError error) {
        data(error.body());
    }

    void done() {
        emit("[DONE]");
        sink.close();
    }

    /**
     * Helidon writes {@code data:} and the value with nothing between; OpenAI and vLLM put one space
     * there. SSE readers drop that one leading space, so the data is the same either way, but the bytes
     * now match what OpenAI clients were written against.
     */
    private void emit(String data) {
        sink.emit(SseEvent.create(" " + data));
    }
}
