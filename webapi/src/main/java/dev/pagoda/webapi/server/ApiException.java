package dev.pagoda.webapi.server;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A request that fails with an OpenAI-shaped error. Handlers throw it; {@link ErrorHandlers} turns it
 * into {@code {"error":{"message","type","param","code"}}} with the status. The engine never sees
 * these requests, so one bad client costs the others nothing.
 *
 * @see OpenAiError
 */
public final class ApiException extends RuntimeException {

    /** Longest piece of a request's own text an error message repeats. */
    public static final int MAX_QUOTE = 100;

    private final int status;
    private final OpenAiError error;

    public ApiException(int status, OpenAiError error) {
        super(error.message());
        this.status = status;
        this.error = error;
    }

    public int status() {
        return status;
    }

    public OpenAiError error() {
        return error;
    }

    /** Text from the request as an error message repeats it: at most {@link #MAX_QUOTE} characters, and how long it was. */
    public static String quote(String fromRequest) {
        if (fromRequest.length() <= MAX_QUOTE) return fromRequest;
        return fromRequest.substring(0, MAX_QUOTE) + "… (" + fromRequest.length() + " characters)";
    }

    /** 400 for a parameter with a bad value; {@code param} is the field as the API names it. */
    public static ApiException invalidValue(String param, String message) {
        return new ApiException(400, new OpenAiError(message, OpenAiError.INVALID_REQUEST, param, "invalid_value"));
    }

    /** 400 for a field of the wrong JSON type, worded as OpenAI words it. */
    public static ApiException invalidType(String param, String expected, String got) {
        return new ApiException(400, new OpenAiError("Invalid type for '" + param + "': expected " + expected
                + ", but got " + got + " instead.", OpenAiError.INVALID_REQUEST, param, "invalid_type"));
    }

    /** A JSON value's type as OpenAI's type errors name it ("an integer", "an array"...). */
    public static String describe(JsonNode n) {
        return switch (n.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> n.isIntegralNumber() ? "an integer" : "a decimal";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> n.getNodeType().name().toLowerCase();
        };
    }

    /** 400 for a required field that is absent. */
    public static ApiException missing(String param) {
        return new ApiException(400, new OpenAiError("Missing required parameter: '" + param + "'.",
                OpenAiError.INVALID_REQUEST, param, "missing_required_parameter"));
    }

    /** 400 for a body that is not what a JSON API takes (not UTF-8, not JSON, not an object). */
    public static ApiException badBody(String message) {
        return badBody(message, "invalid_body");
    }

    public static ApiException badBody(String message, String code) {
        return new ApiException(400, new OpenAiError(message, OpenAiError.INVALID_REQUEST, null, code));
    }

    public static ApiException modelNotFound(String model) {
        return new ApiException(404, new OpenAiError("The model '" + quote(model) + "' does not exist.",
                OpenAiError.INVALID_REQUEST, "model", "model_not_found"));
    }

    public static ApiException tooLarge(long limitBytes) {
        return tooLarge(null, "Request body is larger than the server's limit of " + limitBytes + " bytes.");
    }

    /** 413 for a request, or one of its fields, too large to handle. */
    public static ApiException tooLarge(String param, String message) {
        return new ApiException(413, new OpenAiError(message, OpenAiError.INVALID_REQUEST, param, "request_too_large"));
    }

    /** 415: what a JSON route answers a body that does not say it is JSON. */
    public static ApiException unsupportedMediaType(String contentType) {
        String got = contentType == null ? "no Content-Type" : "Content-Type '" + quote(contentType) + "'";
        return new ApiException(415, new OpenAiError("Unsupported media type: the request has " + got
                + "; send the body as application/json.", OpenAiError.INVALID_REQUEST, null, "unsupported_media_type"));
    }

    /** 503 for a request that waited too long for a share of something the server limits. */
    public static ApiException busy(String what) {
        return new ApiException(503, new OpenAiError("The server is busy (" + what + "); retry in a moment.",
                OpenAiError.SERVER, null, "server_busy"));
    }
}
