package dev.pagoda.webapi.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.engine.core.LocalEngine;
import dev.pagoda.webapi.testing.FixtureModel;
import dev.pagoda.webapi.testing.RealEngines;
import dev.pagoda.webapi.testing.Http;
import dev.pagoda.webapi.testing.PrometheusText;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Clients that hang up mid-stream: their requests are aborted and their KV blocks come back, as
 * {@code /metrics} shows (nothing running, {@code vllm:kv_cache_usage_perc} 0, one abort per client),
 * while a client that stays gets its whole answer.
 */
@ServerTest
class DisconnectTest {

    static final int CLIENTS = 32;
    static final LocalEngine ENGINE = RealEngines.start();
    // Long enough (hundreds of engine steps) that no stream can finish before its client hangs up.
    static final int MAX_TOKENS = ENGINE.model().maxModelLen() - 64;

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        PagodaServer.routing(routing, ENGINE, ServerOptions.local());
    }

    @AfterAll
    static void closeEngine() {
        ENGINE.close();
    }

    private final URI uri;
    private final Http http;

    DisconnectTest(URI uri) {
        this.uri = uri;
        this.http = new Http(uri, null);
    }

    /** Opens a streaming chat request on a raw socket, reads {@code events} SSE events, then hangs up. */
    private int streamThenHangUp(int client, int events) throws IOException {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"client " + client + "\"}],\"stream\":true,"
                + "\"max_tokens\":" + MAX_TOKENS + ",\"ignore_eos\":true}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            int seen = 0;
            for (String line; seen < events && (line = in.readLine()) != null; ) {
                if (line.startsWith("data: ")) seen++;
            }
            return seen;
        } // closing the socket mid-stream is the disconnect
    }

    @Test
    void droppedStreamsAreAbortedAndTheirBlocksFreed() throws Exception {
        long abortsBefore = ENGINE.state().totals().finishedAbort();
        List<Future<Integer>> clients = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < CLIENTS; c++) {
                int id = c;
                clients.add(pool.submit(() -> streamThenHangUp(id, 4)));
            }
            // One client that stays to the end, while the others drop around it.
            Http.Reply stayed = http.post("/v1/chat/completions",
                    "{\"messages\":[{\"role\":\"user\",\"content\":\"I stay\"}],\"max_tokens\":20,\"stream\":true}");
            assertEquals("[DONE]", stayed.events().getLast());
            for (Future<Integer> f : clients) assertEquals(4, f.get(), "each client saw 4 events before hanging up");
        }

        PrometheusText metrics = awaitIdle();
        assertEquals(0.0, metrics.value("vllm:num_requests_running"), metrics.text());
        assertEquals(0.0, metrics.value("vllm:kv_cache_usage_perc"), metrics.text());
        long aborts = ENGINE.state().totals().finishedAbort() - abortsBefore;
        assertEquals(CLIENTS, aborts, "every dropped client's request was aborted");
        assertEquals((double) ENGINE.state().totals().finishedAbort(),
                metrics.value("vllm:request_success_total", "finished_reason", "abort"));
        assertTrue(ENGINE.state().kvSnapshot().count(dev.pagoda.engine.telemetry.KvSnapshot.BlockState.HELD) == 0);
    }

    /** Aborts land within a step or two of the failed write; poll /metrics until they have, up to 20 s. */
    private PrometheusText awaitIdle() throws InterruptedException {
        PrometheusText m = PrometheusText.parse(http.get("/metrics").body());
        for (int i = 0; i < 200 && (m.value("vllm:num_requests_running") > 0 || m.value("vllm:kv_cache_usage_perc") > 0); i++) {
            Thread.sleep(100);
            m = PrometheusText.parse(http.get("/metrics").body());
        }
        return m;
    }
}
