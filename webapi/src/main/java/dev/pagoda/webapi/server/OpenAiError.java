package dev.pagoda.webapi.server;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The {@code error} object of an OpenAI error body. Every key is always written, null included, as
 * OpenAI writes it; SDKs read {@code type} and {@code code} to pick their exception class. Messages
 * and params are capped (a message quoting a client's field name or number can never be the size
 * of the request); values taken from the request are shortened where they are quoted, see
 * {@link ApiException#quote}.
 *
 * @param message for a person
 * @param type    {@code invalid_request_error}, {@code authentication_error}, {@code server_error}, ...
 * @param param   the request field at fault, or null
 * @param code    a machine-readable reason ({@code invalid_api_key}, {@code model_not_found}, ...), or null
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record OpenAiError(String message, String type, String param, String code) {

    public static final String INVALID_REQUEST = "invalid_request_error";
    public static final String AUTHENTICATION = "authentication_error";
    public static final String SERVER = "server_error";

    static final int MAX_MESSAGE = 1000;
    static final int MAX_PARAM = 200;

    public OpenAiError {
        message = cap(message, MAX_MESSAGE);
        param = cap(param, MAX_PARAM);
    }

    private static String cap(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max) + "…";
    }

    /** The whole body: {@code {"error": {...}}}. */
    public record Body(OpenAiError error) {}

    public Body body() {
        return new Body(this);
    }
}
