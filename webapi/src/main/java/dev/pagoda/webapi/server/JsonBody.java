package dev.pagoda.webapi.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads a request body as a JSON object, refusing in this order: larger than the limit (413, without
 * reading past it), not UTF-8 (400), not JSON (400), not an object (400). Bodies are read here rather
 * than through the media context so each failure gets its own clear OpenAI error instead of a
 * generic one.
 */
public final class JsonBody {

    /**
     * Python's json module writes NaN and Infinity, so OpenAI-compatible clients can send them; they are
     * parsed and then refused by the range checks, naming the parameter, instead of failing as bad JSON.
     */
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final long maxBytes;

    public JsonBody(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    public ObjectNode read(ServerRequest req) {
        long declared = req.headers().first(HeaderNames.CONTENT_LENGTH).map(JsonBody::parseLength).orElse(-1L);
        if (declared > maxBytes) throw ApiException.tooLarge(maxBytes);
        if (!req.content().hasEntity()) throw ApiException.badBody("The request has no body; send a JSON object.");
        byte[] bytes = readCapped(req.content().inputStream());
        return parse(bytes);
    }

    /** The JSON object in {@code bytes}; the checks after the size limit. */
    public static ObjectNode parse(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw ApiException.badBody("The request body is not valid UTF-8.");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw ApiException.badBody("We could not parse the JSON body of your request: "
                    + e.getOriginalMessage() + " (line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ").");
        }
        if (node == null || node.isMissingNode()) throw ApiException.badBody("The request body is empty; send a JSON object.");
        if (!(node instanceof ObjectNode object)) {
            throw ApiException.badBody("The request body must be a JSON object, got " + node.getNodeType().name().toLowerCase() + ".");
        }
        return object;
    }

    private byte[] readCapped(InputStream in) {
        try {
            // One byte past the limit tells "too large" from "exactly the limit" without reading the rest.
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) throw ApiException.tooLarge(maxBytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the request body failed", e);
        }
    }

    private static long parseLength(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
