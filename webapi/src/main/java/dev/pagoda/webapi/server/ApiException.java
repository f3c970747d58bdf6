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
        return new ApiException(400, new OpenAiError(message, OpenAiError.INVALID_REQUEST, null, null));
    }

    public static ApiException modelNotFound(String model) {
        return new ApiException(404, new OpenAiError("The model '" + model + "' does not exist.",
                OpenAiError.INVALID_REQUEST, "model", "model_not_found"));
    }

    public static ApiException tooLarge(long limitBytes) {
        return new ApiException(413, new OpenAiError("Request body is larger than the server's limit of "
                + limitBytes + " bytes.", OpenAiError.INVALID_REQUEST, null, "request_too_large"));
    }
}
