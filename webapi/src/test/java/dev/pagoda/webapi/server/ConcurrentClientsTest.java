package dev.pagoda.webapi.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.engine.core.LocalEngine;
import dev.pagoda.webapi.testing.Http;
import dev.pagoda.webapi.testing.PrometheusText;
import dev.pagoda.webapi.testing.RealEngines;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The load test: 128 streaming clients at once for about 30 s, each sending request after
 * request until the time is up or it has sent {@link #MAX_REQUESTS_EACH} (so the test ends by itself
 * on any machine). No request fails, every stream ends with [DONE] after its full answer, more
 * clients than the engine runs at once wait their turn, and afterwards nothing is running or waiting
 * and no KV block is held. The only long test of the suite; it asserts behaviour, never speed.
 */
@ServerTest
class ConcurrentClientsTest {

    static final int CLIENTS = 128;
    static final Duration RUN_FOR = Duration.ofSeconds(30);
    static final int MAX_REQUESTS_EACH = 200;
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
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();

    ConcurrentClientsTest(URI uri) {
        http = new Http(uri, null);
    }

    /** One client's requests until {@code deadline}; returns how many it completed, each checked in full. */
    private int client(int id, long deadline) throws IOException {
        int done = 0;
        for (int r = 0; r < MAX_REQUESTS_EACH && System.nanoTime() < deadline; r++) {
            String what = "client " + id + " request " + r;
            try {
                Http.Reply reply = http.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\""
                        + what + "\"}],\"max_tokens\":" + MAX_TOKENS + ",\"stream\":true,"
                        + "\"stream_options\":{\"include_usage\":true},\"ignore_eos\":true,\"temperature\":0.7,\"seed\":"
                        + (id * 1000 + r) + "}");
                if (reply.status() != 200) {
                    failures.add(what + ": HTTP " + reply.status() + " " + reply.body());
                    continue;
                }
                List<String> events = reply.events();
                if (!events.getLast().equals("[DONE]")) {
                    failures.add(what + ": the stream did not end with [DONE]: " + events.getLast());
                    continue;
                }
                JsonNode usage = Http.JSON.readTree(events.get(events.size() - 2)).get("usage");
                if (usage == null || usage.get("completion_tokens").asInt() != MAX_TOKENS) {
                    failures.add(what + ": not a full answer of " + MAX_TOKENS + " tokens: " + usage);
                    continue;
                }
                done++;
            } catch (RuntimeException e) {
                failures.add(what + ": " + e);
            }
        }
        return done;
    }

    @Test
    void everyStreamCompletesAndEverythingIsGivenBack() throws Exception {
        long deadline = System.nanoTime() + RUN_FOR.toNanos();
        List<Future<Integer>> clients = new ArrayList<>();
        int completed = 0;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < CLIENTS; c++) {
                int id = c;
                clients.add(pool.submit(() -> client(id, deadline)));
            }
            for (Future<Integer> f : clients) completed += f.get();
        }
        assertTrue(failures.isEmpty(), failures.size() + " failed requests, first: " + failures.peek());
        assertTrue(completed >= CLIENTS, "every client finished at least one request: " + completed);

        PrometheusText m = PrometheusText.parse(http.get("/metrics").body());
        assertEquals(0, m.value("vllm:num_requests_running"));
        assertEquals(0, m.value("vllm:num_requests_waiting"));
        assertEquals(0, m.value("vllm:kv_cache_usage_perc"));
        assertEquals(completed, m.value("vllm:request_success_total", "finished_reason", "length"));
        assertEquals(0, m.value("vllm:request_success_total", "finished_reason", "abort"));
        assertEquals(completed, m.value("vllm:e2e_request_latency_seconds_count"));
        System.out.printf("ConcurrentClientsTest: %d clients completed %d streamed requests in %s%n", CLIENTS, completed, RUN_FOR);
    }
}
