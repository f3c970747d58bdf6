package dev.pagoda.webapi.server;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;

/** {@code GET /health} (200, empty, as vLLM answers a live engine) and {@code GET /version}. */
final class HealthService implements HttpService {

    private final String version;

    HealthService(String version) {
        this.version = version;
    }

    record Version(String version) {}

    @Override
    public void routing(HttpRules rules) {
        rules.get("/health", (req, res) -> res.status(Status.OK_200).send())
                .get("/version", (req, res) -> res.send(new Version(version)));
    }
}
