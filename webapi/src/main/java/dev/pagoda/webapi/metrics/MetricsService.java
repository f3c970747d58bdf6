package dev.pagoda.webapi.metrics;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;

/** {@code GET /metrics}: vLLM's metrics in Prometheus text format. Open without the API key, as in vLLM. */
public final class MetricsService implements HttpService {

    private final VllmMetrics metrics;

    public MetricsService(VllmMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/metrics", (req, res) -> {
            res.header(HeaderNames.CONTENT_TYPE, VllmMetrics.contentType());
            res.send(metrics.scrape());
        });
    }
}
