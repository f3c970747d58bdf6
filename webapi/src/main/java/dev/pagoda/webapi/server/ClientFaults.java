package dev.pagoda.webapi.server;

import dev.pagoda.webapi.server.connection.ConnectionEvents;
import io.prometheus.metrics.core.metrics.Counter;
import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * What clients did wrong, counted by reason in {@code /metrics} as
 * {@code pagoda:http_client_faults_total{reason="..."}} and logged one line each, without a stack
 * trace, at most 20 lines at once and one a second after that. The reasons are a fixed set chosen
 * by the server (an error's OpenAI code, a timeout's name), never text from the request, so the
 * counter cannot grow without bound.
 */
public final class ClientFaults implements ConnectionEvents {

    private static final System.Logger LOG = System.getLogger(ClientFaults.class.getName());

    private final RateLimitedLog log;
    private final Counter counter = Counter.builder()
            .name("pagoda:http_client_faults")
            .help("Requests refused and connections cut off for what the client sent or failed to do, by reason.")
            .labelNames("reason")
            .build();

    public ClientFaults() {
        this(new RateLimitedLog(LOG, 20, Duration.ofSeconds(1)));
    }

    ClientFaults(RateLimitedLog log) {
        this.log = log;
    }

    @Override
    public void clientFault(String reason, String peer, String detail) {
        counter.labelValues(reason).inc();
        log.log(Level.INFO, "client fault " + reason + " from " + peer + ": " + detail);
    }

    /** The counter, to be registered with the server's metrics. */
    public Counter counter() {
        return counter;
    }
}
