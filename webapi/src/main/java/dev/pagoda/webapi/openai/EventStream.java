package dev.pagoda.webapi.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.webapi.server.OpenAiError;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * OpenAI's streaming wire format: each chunk a {@code data: {json}} event, then {@code data: [DONE]},
 * written to the response's output stream and flushed per event. A write to a client that has gone
 * away throws, which unwinds the handler and closes its engine streams (aborting them).
 *
 * <p>Not Helidon's {@code SseSink}: its provider refuses a request whose {@code Accept} does not
 * admit {@code text/event-stream}, and the OpenAI Node and Python SDKs send
 * {@code Accept: application/json} on streaming calls too. OpenAI and vLLM stream whatever the
 * Accept header says, so the framing (three byte strings) is written here.
 */
final class EventStream {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private final OutputStream out;

    EventStream(ServerResponse res) {
        res.header(HeaderValues.create(HeaderNames.CONTENT_TYPE, "text/event-stream"));
        res.header(HeaderValues.CACHE_NO_CACHE);
        this.out = res.outputStream();
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
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing the event stream failed", e);
        }
    }

    /** One event; JSON text never holds a raw newline, so one {@code data:} line carries it whole. */
    private void emit(String data) {
        try {
            out.write(DATA);
            out.write(data.getBytes(StandardCharsets.UTF_8));
            out.write(END);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("the client went away", e);
        }
    }
}
