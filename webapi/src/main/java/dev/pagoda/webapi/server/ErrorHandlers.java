package dev.pagoda.webapi.server;

import dev.pagoda.catalog.chat.ChatTemplateException;
import dev.pagoda.engine.api.InvalidRequestException;
import dev.pagoda.engine.sample.InvalidSamplingParamsException;
import dev.pagoda.engine.api.QueueFullException;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerResponse;
import java.lang.System.Logger.Level;

/**
 * Maps every failure of a request to OpenAI's error body and a status: the engine's own rejections
 * (bad sampling parameters and prompts 400, a full waiting queue 503), chat templates that refuse
 * the conversation (400), and anything unexpected (500, logged). The engine goes on serving in every
 * case because none of these reach its loop.
 */
public final class ErrorHandlers {

    private static final System.Logger LOG = System.getLogger(ErrorHandlers.class.getName());

    private ErrorHandlers() {}

    static void register(HttpRouting.Builder routing) {
        routing.error(Throwable.class, (req, res, e) -> {
            if (res.isSent()) {
                // A stream already under way (typically its client went away): nothing more can be said to
                // the client, and its engine request was closed when the handler unwound.
                LOG.log(Level.DEBUG, () -> "stream ended early: " + e);
                return;
            }
            send(res, toApi(e));
        });
    }

    /** The OpenAI-shaped error for any failure of a request. */
    public static ApiException toApi(Throwable e) {
        return switch (e) {
            case ApiException api -> api;
            case InvalidSamplingParamsException p -> ApiException.invalidValue(p.parameter(), p.getMessage());
            case InvalidRequestException r -> ApiException.invalidValue(r.parameter(), r.getMessage());
            case QueueFullException q -> new ApiException(503, new OpenAiError(
                    "The server is overloaded: " + q.getMessage(), OpenAiError.SERVER, null, "queue_full"));
            case ChatTemplateException t -> ApiException.invalidValue("messages", t.getMessage());
            default -> {
                LOG.log(Level.ERROR, "request failed", e);
                yield new ApiException(500, new OpenAiError("Internal server error: " + e,
                        OpenAiError.SERVER, null, null));
            }
        };
    }

    static void send(ServerResponse res, ApiException e) {
        res.status(e.status()).send(e.error().body());
    }
}
