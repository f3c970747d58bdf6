package dev.pagoda.webapi.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.engine.core.LocalEngine;
import dev.pagoda.webapi.testing.FixtureModel;
import dev.pagoda.webapi.testing.RealEngines;
import dev.pagoda.webapi.testing.Http;
import dev.pagoda.webapi.testing.PrometheusText;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * 128 streaming clients at once, each running a fixed number of requests (bounded by count, not by
 * time): no request fails, every stream ends with [DONE] after its full answer, more clients than
 * the engine runs at once wait their turn, and afterwards nothing is running and no block is held.
 */
@ServerTest
class ConcurrentClientsTest {

    static final int CLIENTS = 128;
    static final int REQUESTS_EACH = 3;
    static final int MAX_TOKENS = 16;
    // Fewer running slots than clients, so the waiting queue is used too.
    static final LocalEngine ENGINE = RealEngines.start(c -> c.maxNumSeqs(48));

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        PagodaServer.routing(routing, ENGINE, ServerOptions.local());
    }

    @AfterAll
    static void closeEngine() {
        ENGINE.close();
    }

    private final Http http;

    ConcurrentClientsTest(URI uri) {
        http = new Http(uri, null);
    }

    /** One client's requests; returns the completion tokens its streams reported. */
    private int client(int id) throws IOException {
        int tokens = 0;
        for (int r = 0; r < REQUESTS_EACH; r++) {
            Http.Reply reply = http.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"client "
                    + id + " request " + r + "\"}],\"max_tokens\":" + MAX_TOKENS + ",\"stream\":true,"
                    + "\"stream_options\":{\"include_usage\":true},\"ignore_eos\":true,\"temperature\":0.7,\"seed\":" + (id * 10 + r) + "}");
            assertEquals(200, reply.status(), reply.body());
            List<String> events = reply.events();
            assertEquals("[DONE]", events.getLast(), "client " + id + " request " + r);
            JsonNode usage = Http.JSON.readTree(events.get(events.size() - 2)).get("usage");
            tokens += usage.get("completion_tokens").asInt();
        }
        return tokens;
    }

    @Test
    void everyStreamCompletesAndEverythingIsGivenBack() throws Exception {
        List<Future<Integer>> clients = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < CLIENTS; c++) {
                int id = c;
                clients.add(pool.submit(() -> client(id)));
            }
            for (Future<Integer> f : clients) {
                assertEquals(REQUESTS_EACH * MAX_TOKENS, f.get(), "each request ran to max_tokens");
            }
        }
        PrometheusText m = PrometheusText.parse(http.get("/metrics").body());
        assertEquals(0, m.value("vllm:num_requests_running"));
        assertEquals(0, m.value("vllm:num_requests_waiting"));
        assertEquals(0, m.value("vllm:kv_cache_usage_perc"));
        assertEquals(CLIENTS * REQUESTS_EACH, m.value("vllm:request_success_total", "finished_reason", "length"));
        assertEquals(0, m.value("vllm:request_success_total", "finished_reason", "abort"));
        assertTrue(m.value("vllm:e2e_request_latency_seconds_count") == CLIENTS * REQUESTS_EACH);
    }
}
