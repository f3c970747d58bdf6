package dev.pagoda.webapi.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.webapi.server.connection.ConnectionGuard;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import java.nio.charset.StandardCharsets;

/**
 * What Helidon answers by itself, before any route runs (a request line or headers too long, not
 * HTTP, a body over the listener's limit, too many requests), in OpenAI's error shape instead of
 * Helidon's empty or plain-text bodies, each counted as a client fault. The wording is ours: it
 * says what limit was hit, never what the parser saw.
 */
final class DirectErrors {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DirectErrors() {}

    static DirectHandlers handlers(ClientFaults faults, long maxBodyBytes) {
        DirectHandler handler = (request, type, status, headers, message) -> respond(faults, request, status, headers, maxBodyBytes);
        DirectHandlers.Builder b = DirectHandlers.builder();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) b.addHandler(type, handler);
        return b.build();
    }

    /** The OpenAI error for a status the HTTP layer chose. */
    static ApiException forStatus(int status) {
        return switch (status) {
            case 413 -> new ApiException(413, new OpenAiError("Request body is larger than the server's limit.",
                    OpenAiError.INVALID_REQUEST, null, "request_too_large"));
            case 414 -> new ApiException(414, new OpenAiError("The request line (method and URL) is too long.",
                    OpenAiError.INVALID_REQUEST, null, "uri_too_long"));
            case 431 -> new ApiException(431, new OpenAiError("The request headers are too large.",
                    OpenAiError.INVALID_REQUEST, null, "headers_too_large"));
            case 501 -> new ApiException(501, new OpenAiError("The request's transfer encoding is not supported.",
                    OpenAiError.INVALID_REQUEST, null, "unsupported_transfer_encoding"));
            case 505 -> new ApiException(505, new OpenAiError("HTTP version not supported; send HTTP/1.1 or HTTP/1.0.",
                    OpenAiError.INVALID_REQUEST, null, "http_version_not_supported"));
            case 503 -> new ApiException(503, new OpenAiError("The server is overloaded; retry in a moment.",
                    OpenAiError.SERVER, null, "server_busy"));
            default -> status >= 500
                    ? new ApiException(status, new OpenAiError("The server had an error while processing your request.",
                            OpenAiError.SERVER, null, null))
                    : new ApiException(status, new OpenAiError("The request is not valid HTTP/1.1.",
                            OpenAiError.INVALID_REQUEST, null, "bad_request"));
        };
    }

    private static DirectHandler.TransportResponse respond(ClientFaults faults, DirectHandler.TransportRequest request,
            Status status, ServerResponseHeaders headers, long maxBodyBytes) {
        ApiException api = status.code() == 413 ? ApiException.tooLarge(maxBodyBytes) : forStatus(status.code());
        ConnectionGuard.lingerAfterError();
        if (api.status() < 500) {
            faults.clientFault(api.error().code(), "-", api.status() + " for " + ApiException.quote(request.method() + " "
                    + request.path()));
        }
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(api.error().body());
        } catch (JsonProcessingException e) {
            body = api.getMessage().getBytes(StandardCharsets.UTF_8);
        }
        headers.set(HeaderNames.CONTENT_TYPE, "application/json");
        return DirectHandler.TransportResponse.builder()
                .status(status)
                .headers(headers)
                .entity(body)
                .build();
    }
}
