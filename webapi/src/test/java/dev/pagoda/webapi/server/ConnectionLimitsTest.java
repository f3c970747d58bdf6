package dev.pagoda.webapi.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.webapi.server.connection.ConnectionLimits;
import dev.pagoda.webapi.testing.FakeEngine;
import dev.pagoda.webapi.testing.FixtureModel;
import dev.pagoda.webapi.testing.Http;
import dev.pagoda.webapi.testing.PrometheusText;
import dev.pagoda.webapi.testing.RawHttp;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The connection limit and the timeouts against a listening server, with limits lowered so each
 * case takes seconds: idle connections by the thousand, a client that trickles its headers, one that
 * never finishes its body, one that stops reading its stream.
 */
class ConnectionLimitsTest {

    static final String KEY = "sk-limits";

    private FakeEngine engine;
    private PagodaServer server;

    private Http start(UnaryOperator<ConnectionLimits> limits) {
        engine = new FakeEngine(FixtureModel.info(), 16, 64, Duration.ofMillis(1));
        server = PagodaServer.start(engine, ServerOptions.local().withApiKey(KEY)
                .withConnections(limits.apply(ConnectionLimits.DEFAULTS)));
        return new Http(URI.create("http://127.0.0.1:" + server.port()), KEY);
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
        if (engine != null) engine.close();
    }

    /**
     * 2,000 connections that never send a byte, 40 times the limit: the server never holds more than
     * the limit, a normal request is still served while they are open, and the listener is still
     * there once they are gone.
     */
    @Test
    void idleConnectionsByTheThousandNeitherExhaustNorCloseTheListener() {
        int limit = 50;
        Http http = start(l -> l.withMaxConnections(limit));
        List<Socket> idle = new ArrayList<>();
        AtomicInteger mostOpen = new AtomicInteger();
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                mostOpen.accumulateAndGet(server.openConnections(), Math::max);
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                for (int i = 0; i < 2000; i++) {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
                    idle.add(s);
                }
                Http.Reply r = http.post("/v1/completions", "{\"prompt\":\"still here\",\"max_tokens\":4}");
                assertEquals(200, r.status(), r.body());
            });
        } finally {
            for (Socket s : idle) close(s);
        }
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            assertEquals(200, http.get("/health").status(), "the listener is still open after the idle connections went");
            Http.Reply r = http.post("/v1/completions", "{\"prompt\":\"after\",\"max_tokens\":4}");
            assertEquals(200, r.status(), r.body());
        });
        sampler.interrupt();
        assertTrue(mostOpen.get() <= limit, "open connections peaked at " + mostOpen.get() + ", over the limit of " + limit);
        PrometheusText metrics = PrometheusText.parse(http.get("/metrics").body());
        double evicted = metrics.value("pagoda:http_connections_closed_idle_total", "reason", "evicted");
        assertTrue(evicted >= 2000 - limit, "idle connections closed to make room: " + evicted);
    }

    @Test
    void idleKeepAliveConnectionsAreClosedAfterTheTimeout() throws IOException {
        start(l -> l.withKeepAlive(Duration.ofSeconds(1)));
        try (RawHttp c = RawHttp.connect(server.port())) {
            c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
            long t0 = System.nanoTime();
            String wire = c.readUntilClosed(Duration.ofSeconds(5));
            assertEquals(List.of(200), RawHttp.statuses(wire));
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(seconds >= 0.9, "closed after " + seconds + " s, before the keep-alive timeout");
        }
    }

    /** Slowloris: a header line a little at a time, each byte well within any per-read timeout. */
    @Test
    void headersTrickledInAreCutAtTheHeaderTimeout() throws Exception {
        Http http = start(l -> l.withClientTimeouts(Duration.ofSeconds(1)));
        try (RawHttp c = RawHttp.connect(server.port())) {
            c.send("GET /v1/models HTTP/1.1\r\nHost: x\r\n");
            long t0 = System.nanoTime();
            Thread trickle = Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (int i = 0; i < 100; i++) {
                        c.socket().getOutputStream().write('X');
                        Thread.sleep(100);
                    }
                } catch (IOException | InterruptedException e) {
                    // cut off, as it should be
                }
            });
            String wire = c.readUntilClosed(Duration.ofSeconds(5));
            double seconds = (System.nanoTime() - t0) / 1e9;
            trickle.interrupt();
            assertEquals(List.of(), RawHttp.statuses(wire), "no response to a request that never arrived: " + wire);
            assertTrue(seconds < 4, "cut after " + seconds + " s");
        }
        assertEquals(1, faults(http, "header_timeout"));
    }

    @Test
    void aBodyThatNeverEndsIsCutAtTheBodyTimeout() {
        Http http = start(l -> l.withClientTimeouts(Duration.ofSeconds(1)));
        try (RawHttp c = RawHttp.connect(server.port())) {
            c.send("POST /v1/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"prompt\":");
            long t0 = System.nanoTime();
            c.readUntilClosed(Duration.ofSeconds(5));
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(seconds >= 0.9 && seconds < 4, "cut after " + seconds + " s");
        }
        assertEquals(1, faults(http, "body_timeout"));
        assertEquals(200, http.post("/v1/completions", "{\"prompt\":\"next\",\"max_tokens\":2}").status());
    }

    /**
     * A streaming client that stops reading: once its window and the socket buffers are full the
     * server's write blocks, and after the write timeout the connection is cut and the engine
     * request aborted, its blocks given back.
     */
    @Test
    void aClientThatStopsReadingIsCutAndItsRequestAborted() throws Exception {
        Http http = start(l -> l.withClientTimeouts(Duration.ofSeconds(1)).withSendBuffer(8 * 1024));
        String body = "{\"prompt\":\"talk a lot\",\"max_tokens\":900,\"n\":8,\"logprobs\":5,\"ignore_eos\":true,\"stream\":true}";
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(new InetSocketAddress("127.0.0.1", server.port()));
            s.getOutputStream().write(("POST /v1/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).getBytes());
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                while (faults(http, "write_timeout") < 1) Thread.sleep(100);
                while (engine.state().queues().running() + engine.state().queues().waiting() > 0) Thread.sleep(50);
            });
            assertEquals(0, engine.state().kvSnapshot().usage(), "every block given back");
            // What the client reads now ends before the stream did: the server hung up.
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            byte[] buffer = new byte[65536];
            StringBuilder text = new StringBuilder();
            try {
                for (int n; (n = in.read(buffer)) > 0; ) text.append(new String(buffer, 0, n));
            } catch (IOException e) {
                // reset
            }
            assertTrue(!text.toString().contains("[DONE]"), "the stream was cut, not finished");
        }
    }

    private static double faults(Http http, String reason) {
        return PrometheusText.parse(http.get("/metrics").body()).valueOrZero("pagoda:http_client_faults_total", "reason", reason);
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing
        }
    }
}
