package dev.pagoda.webapi.server;

import dev.pagoda.catalog.chat.ChatTemplateException;
import dev.pagoda.engine.api.InvalidRequestException;
import dev.pagoda.engine.sample.InvalidSamplingParamsException;
import dev.pagoda.engine.api.QueueFullException;
import dev.pagoda.webapi.server.connection.ConnectionGuard;
import io.helidon.common.buffers.DataReader;
import io.helidon.http.HttpException;
import io.helidon.http.RequestException;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Maps every failure of a request to OpenAI's error body and a status: the engine's own rejections
 * (bad sampling parameters and prompts 400, a full waiting queue 503), chat templates that refuse
 * the conversation (400), a body that ends early (400), and anything unexpected (500, logged with
 * its stack trace under an id the client is told, the message revealing nothing). The engine goes
 * on serving in every case because none of these reach its loop.
 *
 * <p>Every 4xx is a client fault ({@link ClientFaults}: counted by code, logged one line,
 * rate-limited); 5xx lines are rate-limited too. An error to a request with a body ends the
 * connection after the response, so no unread part of the body can be taken for further requests.
 */
public final class ErrorHandlers {

    private static final System.Logger LOG = System.getLogger(ErrorHandlers.class.getName());

    private final ClientFaults faults;
    private final RateLimitedLog serverFaults = new RateLimitedLog(LOG, 10, Duration.ofSeconds(6));

    public ErrorHandlers(ClientFaults faults) {
        this.faults = faults;
    }

    void register(HttpRouting.Builder routing) {
        routing.error(Throwable.class, this::handle);
    }

    private void handle(ServerRequest req, ServerResponse res, Throwable e) {
        String what = req.prologue().method().text() + " " + ApiException.quote(req.path().path());
        String peer = req.remotePeer().host();
        if (res.isSent()) {
            // A stream already under way (typically its client went away): nothing more can be said to
            // the client, and its engine request was closed when the handler unwound.
            if (!ConnectionGuard.currentConnectionCut()) {
                faults.clientFault("stream_ended_early", peer, what + ": " + e.getClass().getSimpleName());
            }
            return;
        }
        ApiException api = toApi(e);
        if (api.status() < 500) {
            if (!ConnectionGuard.currentConnectionCut()) {
                faults.clientFault(code(api), peer, api.status() + " for " + what + ": " + api.getMessage());
            }
        } else if (e instanceof ApiException || e instanceof QueueFullException) {
            serverFaults.log(Level.WARNING, api.status() + " " + code(api) + " for " + what + " from " + peer + ": " + api.getMessage());
        } else {
            String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
            serverFaults.log(Level.ERROR, "request " + id + " failed: " + what + " from " + peer, e);
            api = new ApiException(api.status(), new OpenAiError(api.error().message() + " (error id " + id + ")",
                    api.error().type(), api.error().param(), api.error().code()));
        }
        // Helidon may flag a body consumed when its reading failed part way (a chunked body over the
        // limit): only closing the connection is sure to leave no byte of it to be parsed as a request.
        if (req.content().hasEntity()) ConnectionGuard.closeAfterResponse(res, !req.content().consumed());
        send(res, api);
    }

    private static String code(ApiException api) {
        return api.error().code() == null ? "http_" + api.status() : api.error().code();
    }

    /** The OpenAI-shaped error for any failure of a request; says nothing of the server's insides. */
    public static ApiException toApi(Throwable e) {
        return switch (e) {
            case ApiException api -> api;
            case InvalidSamplingParamsException p -> ApiException.invalidValue(p.parameter(), p.getMessage());
            case InvalidRequestException r -> ApiException.invalidValue(r.parameter(), r.getMessage());
            case QueueFullException q -> new ApiException(503, new OpenAiError(
                    "The server is overloaded: " + q.getMessage(), OpenAiError.SERVER, null, "queue_full"));
            case ChatTemplateException t -> ApiException.invalidValue("messages", t.getMessage());
            case RequestException r -> DirectErrors.forStatus(r.status().code());
            case HttpException h -> DirectErrors.forStatus(h.status().code());
            // The body stopped before its declared end, the socket failed, or the connection was cut for a timeout.
            case DataReader.InsufficientDataAvailableException d -> incompleteBody();
            case CloseConnectionException c -> incompleteBody();
            case UncheckedIOException io -> incompleteBody();
            default -> new ApiException(500, new OpenAiError(
                    "The server had an error while processing your request.", OpenAiError.SERVER, null, null));
        };
    }

    private static ApiException incompleteBody() {
        return ApiException.badBody("The request ended before its body was complete.", "incomplete_body");
    }

    static void send(ServerResponse res, ApiException e) {
        res.status(e.status()).send(e.error().body());
    }
}
