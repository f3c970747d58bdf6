package dev.pagoda.webapi.server;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code GET /health} (200, empty, as vLLM answers a live server; 503 once the server has found it
 * cannot serve, until the process exits) and {@code GET /version}.
 */
final class HealthService implements HttpService {

    private final String version;
    private final Supplier<Optional<String>> failure;

    /** @param failure why the server can no longer serve, when it cannot */
    HealthService(String version, Supplier<Optional<String>> failure) {
        this.version = version;
        this.failure = failure;
    }

    record Version(String version) {}

    @Override
    public void routing(HttpRules rules) {
        rules.get("/health", (req, res) -> {
            Optional<String> why = failure.get();
            if (why.isEmpty()) {
                res.status(Status.OK_200).send();
            } else {
                ErrorHandlers.send(res, new ApiException(503, new OpenAiError(why.get(), OpenAiError.SERVER, null, "unhealthy")));
            }
        }).get("/version", (req, res) -> res.send(new Version(version)));
    }
}
