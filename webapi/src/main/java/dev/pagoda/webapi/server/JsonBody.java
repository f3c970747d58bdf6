package dev.pagoda.webapi.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
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
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Reads a request body as a JSON object, refusing in this order: not {@code application/json} (415,
 * so a web page cannot send it as a "simple" cross-origin request without a preflight), larger
 * than the limit (413, without reading past it), not UTF-8 (400), not JSON (400), beyond
 * {@link JsonLimits} (400 or 413), not an object (400). Error messages say what is wrong and where,
 * never Jackson's own words (which quote the input and name classes). Bodies are read here rather
 * than through the media context so each failure gets its own clear OpenAI error.
 *
 * <p>Bodies being read and parsed share one budget of bytes ({@link RequestLimits#bodyBudgetBytes()}):
 * each takes its declared length (the largest allowed when chunked) before reading and gives it
 * back once parsed; a request that cannot get its share in {@link #BUDGET_WAIT_SECONDS} is refused
 * with 503.
 */
public final class JsonBody {

    static final long BUDGET_WAIT_SECONDS = 30;
    private static final int BUDGET_UNIT = 1024;

    private final JsonLimits limits;
    private final ObjectMapper mapper;
    private final Semaphore budget; // permits of BUDGET_UNIT bytes

    public JsonBody(RequestLimits limits) {
        this.limits = limits.json();
        this.mapper = mapper(this.limits);
        this.budget = new Semaphore((int) Math.min(Integer.MAX_VALUE, limits.bodyBudgetBytes() / BUDGET_UNIT), true);
    }

    /**
     * Python's json module writes NaN and Infinity, so OpenAI-compatible clients can send them; they are
     * parsed and then refused by the range checks, naming the parameter, instead of failing as bad JSON.
     */
    private static ObjectMapper mapper(JsonLimits limits) {
        StreamReadConstraints constraints = StreamReadConstraints.builder()
                .maxNestingDepth(limits.maxDepth())
                .maxStringLength(limits.maxStringChars())
                .maxNumberLength(limits.maxNumberChars())
                .maxNameLength(Math.min(limits.maxStringChars(), 50_000))
                .maxDocumentLength(limits.maxBodyBytes())
                .maxTokenCount(limits.maxTokens())
                .build();
        JsonFactory factory = JsonFactory.builder()
                .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .streamReadConstraints(constraints)
                .build();
        return JsonMapper.builder(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    }

    public ObjectNode read(ServerRequest req) {
        requireJson(req.headers().first(HeaderNames.CONTENT_TYPE).orElse(null));
        long max = limits.maxBodyBytes();
        long declared = req.headers().first(HeaderNames.CONTENT_LENGTH).map(JsonBody::parseLength).orElse(-1L);
        if (declared > max) throw ApiException.tooLarge(max);
        if (!req.content().hasEntity()) throw ApiException.badBody("The request has no body; send a JSON object.", "empty_body");
        int share = (int) ((declared >= 0 ? declared : max) / BUDGET_UNIT) + 1;
        acquire(share);
        try {
            return parse(readCapped(req.content().inputStream()));
        } finally {
            budget.release(share);
        }
    }

    /** {@code application/json}, any case, with no charset or UTF-8's. */
    static void requireJson(String contentType) {
        if (contentType == null) throw ApiException.unsupportedMediaType(null);
        String[] parts = contentType.split(";");
        boolean json = parts[0].strip().toLowerCase(Locale.ROOT).equals("application/json");
        for (int i = 1; i < parts.length && json; i++) {
            String param = parts[i].strip().toLowerCase(Locale.ROOT).replace("\"", "");
            if (param.startsWith("charset=")) json = param.equals("charset=utf-8") || param.equals("charset=utf8");
        }
        if (!json) throw ApiException.unsupportedMediaType(contentType);
    }

    private void acquire(int share) {
        try {
            if (!budget.tryAcquire(share, BUDGET_WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw ApiException.busy("too many large request bodies at once");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.busy("interrupted while waiting to read the request body");
        }
    }

    /** The JSON object in {@code bytes}; the checks after the size limit. */
    public ObjectNode parse(byte[] bytes) {
        if (!isUtf8(bytes)) throw ApiException.badBody("The request body is not valid UTF-8.", "invalid_utf8");
        JsonNode node;
        try {
            node = mapper.readTree(bytes);
        } catch (StreamConstraintsException e) {
            throw beyondLimits(e);
        } catch (JsonProcessingException e) {
            throw ApiException.badBody("We could not parse the JSON body of your request" + where(e.getLocation())
                    + ". The API expects a JSON object.", "invalid_json");
        } catch (IOException e) {
            throw new UncheckedIOException("parsing a request body held in memory failed", e);
        }
        if (node == null || node.isMissingNode()) throw ApiException.badBody("The request body is empty; send a JSON object.", "empty_body");
        if (!(node instanceof ObjectNode object)) {
            throw ApiException.badBody("The request body must be a JSON object, got " + node.getNodeType().name().toLowerCase(Locale.ROOT) + ".",
                    "not_an_object");
        }
        return object;
    }

    /** Jackson names the limit it hit by the getter that sets it; each becomes a message of ours. */
    private ApiException beyondLimits(StreamConstraintsException e) {
        String which = e.getMessage() == null ? "" : e.getMessage();
        if (which.contains("getMaxNestingDepth")) {
            return ApiException.badBody("The JSON body nests arrays and objects deeper than " + limits.maxDepth() + " levels.", "json_too_deep");
        }
        if (which.contains("getMaxNumberLength")) {
            return ApiException.badBody("A number in the JSON body has more than " + limits.maxNumberChars() + " characters.", "json_number_too_long");
        }
        if (which.contains("getMaxStringLength")) {
            return ApiException.tooLarge(null, "A string in the JSON body is longer than " + limits.maxStringChars() + " characters.");
        }
        if (which.contains("getMaxNameLength")) {
            return ApiException.badBody("A field name in the JSON body is too long.", "json_name_too_long");
        }
        if (which.contains("getMaxTokenCount")) {
            return ApiException.tooLarge(null, "The JSON body holds more than " + limits.maxTokens() + " values.");
        }
        return ApiException.tooLarge(limits.maxBodyBytes());
    }

    private static String where(JsonLocation location) {
        if (location == null || location.getLineNr() < 1) return "";
        return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    /** Decodes into a small reused buffer: validates without a second copy of the body. */
    private static boolean isUtf8(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(8192);
        while (true) {
            CoderResult r = decoder.decode(in, out, true);
            if (r.isError()) return false;
            out.clear();
            if (r.isUnderflow()) break;
        }
        while (true) {
            CoderResult r = decoder.flush(out);
            if (r.isError()) return false;
            out.clear();
            if (r.isUnderflow()) return true;
        }
    }

    private byte[] readCapped(InputStream in) {
        long max = limits.maxBodyBytes();
        try {
            // One byte past the limit tells "too large" from "exactly the limit" without reading the rest.
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
            if (bytes.length > max) throw ApiException.tooLarge(max);
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
