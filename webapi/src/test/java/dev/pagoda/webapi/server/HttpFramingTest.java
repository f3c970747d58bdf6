package dev.pagoda.webapi.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.engine.api.EngineTotals;
import dev.pagoda.webapi.testing.FakeEngine;
import dev.pagoda.webapi.testing.FixtureModel;
import dev.pagoda.webapi.testing.Http;
import dev.pagoda.webapi.testing.RawHttp;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HTTP framing against the whole server as it listens ({@link PagodaServer#start}), over raw
 * sockets: HTTP/1.0, {@code Connection: close}, and no request smuggled after an error response
 * whose body was not read.
 */
class HttpFramingTest {

    static final String KEY = "sk-framing";
    static final long MAX_BODY = 1 << 20;
    static final Duration CLOSED_WITHIN = Duration.ofSeconds(5);

    static FakeEngine engine;
    static PagodaServer server;

    @BeforeAll
    static void start() {
        engine = new FakeEngine(FixtureModel.info(), 8, 64, Duration.ofMillis(1));
        server = PagodaServer.start(engine, ServerOptions.local().withApiKey(KEY).withMaxRequestBytes(MAX_BODY));
    }

    @AfterAll
    static void stop() {
        server.close();
        engine.close();
    }

    private static RawHttp connect() {
        return RawHttp.connect(server.port());
    }

    @Test
    void http10HealthIsServedAndTheConnectionCloses() {
        try (RawHttp c = connect()) {
            String wire = c.send("GET /health HTTP/1.0\r\n\r\n").readUntilClosed(CLOSED_WITHIN);
            assertEquals(List.of(200), RawHttp.statuses(wire), wire);
            assertTrue(wire.toLowerCase().contains("connection: close"), wire);
        }
        try (RawHttp c = connect()) {
            String wire = c.send("GET /health HTTP/1.0\r\nHost: probe\r\nConnection: keep-alive\r\n\r\n")
                    .readUntilClosed(CLOSED_WITHIN);
            assertEquals(List.of(200), RawHttp.statuses(wire), "keep-alive is not offered to 1.0 clients: " + wire);
        }
    }

    /**
     * An HTTP/1.0 client cannot read chunked coding: the stream comes as the raw event bytes, ended by
     * the end of the connection, and they are the events java.net.http reads from the same request
     * over HTTP/1.1.
     */
    @Test
    void http10StreamsWithoutChunkedCoding() {
        String body = "{\"prompt\":\"stream me\",\"max_tokens\":12,\"temperature\":0,\"ignore_eos\":true,\"stream\":true}";
        String wire;
        try (RawHttp c = connect()) {
            wire = c.send("POST /v1/completions HTTP/1.0\r\nAuthorization: Bearer " + KEY + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body).readUntilClosed(CLOSED_WITHIN);
        }
        int end = wire.indexOf("\r\n\r\n");
        String head = wire.substring(0, end).toLowerCase();
        assertEquals(List.of(200), RawHttp.statuses(wire.substring(0, end)), head);
        assertFalse(head.contains("transfer-encoding"), head);
        assertTrue(head.contains("text/event-stream"), head);
        String stream = new String(wire.substring(end + 4).getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        List<String> events = new Http.Reply(200, stream, null).events();
        List<String> reference = new Http(URI.create("http://127.0.0.1:" + server.port()), KEY).post("/v1/completions", body).events();
        assertEquals(reference.size(), events.size(), wire);
        assertEquals("[DONE]", events.getLast());
        for (int i = 0; i < events.size() - 1; i++) {
            assertEquals(withoutIdAndTime(reference.get(i)), withoutIdAndTime(events.get(i)), "event " + i);
        }
    }

    private static String withoutIdAndTime(String event) {
        return event.replaceAll("\"id\":\"[^\"]*\"", "").replaceAll("\"created\":\\d+", "");
    }

    @Test
    void connectionCloseClosesTheSocket() {
        try (RawHttp c = connect()) {
            String wire = c.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").readUntilClosed(CLOSED_WITHIN);
            assertEquals(List.of(200), RawHttp.statuses(wire));
        }
        String body = "{\"prompt\":\"bye\",\"max_tokens\":3}";
        try (RawHttp c = connect()) {
            String wire = c.send("POST /v1/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body
                    // A second request pipelined behind the last one must not be served.
                    + "GET /health HTTP/1.1\r\nHost: x\r\n\r\n").readUntilClosed(CLOSED_WITHIN);
            assertEquals(List.of(200), RawHttp.statuses(wire), wire);
        }
        try (RawHttp c = connect()) {
            // Without Connection: close the same pipeline is served in full, and the connection stays open.
            c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n");
            c.socket().shutdownOutput();
            assertEquals(List.of(200, 200), RawHttp.statuses(c.readUntilClosed(CLOSED_WITHIN)));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A 50 MB body, every line of it a small completion request, sent after a request refused
     * before its body is read: none of them may reach the engine, whichever way the refusal comes
     * (too large by Content-Length, too large while chunked, no key), with or without {@code Connection: close}.
     */
    @ParameterizedTest
    @ValueSource(strings = {"declared", "declared-close", "chunked", "unauthorized", "unauthorized-close"})
    void aBodyAfterAnErrorExecutesNothing(String how) {
        String inner = "{\"prompt\":\"smuggled\",\"max_tokens\":1}";
        byte[] smuggled = ("POST /v1/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY
                + "\r\nContent-Type: application/json\r\nContent-Length: " + inner.length() + "\r\n\r\n" + inner)
                .getBytes(StandardCharsets.US_ASCII);
        int copies = 50_000_000 / smuggled.length;
        long length = (long) copies * smuggled.length;
        boolean chunked = how.equals("chunked");
        String auth = how.startsWith("unauthorized") ? "" : "Authorization: Bearer " + KEY + "\r\n";
        String framing = how.startsWith("unauthorized") ? "Content-Length: " + (MAX_BODY / 2) + "\r\n"
                : chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + length + "\r\n";
        String close = how.endsWith("close") ? "Connection: close\r\n" : "";
        long before = finished(engine.state().totals());
        String wire = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (RawHttp c = connect()) {
                c.send("POST /v1/completions HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Type: application/json\r\n" + framing + close + "\r\n");
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> writeBody(c, smuggled, copies, chunked));
                String got = c.readUntilClosed(Duration.ofSeconds(30));
                writer.handle((v, e) -> null).join(); // the server hangs up mid-body: a failed write is expected
                return got;
            }
        });
        int expected = how.startsWith("unauthorized") ? 401 : 413;
        assertEquals(List.of(expected), RawHttp.statuses(wire), "exactly one response, then the connection ends: "
                + wire.substring(0, Math.min(wire.length(), 600)));
        // Anything the engine got would have finished by now (one token each).
        sleep(300);
        assertEquals(before, finished(engine.state().totals()), "requests smuggled in the body reached the engine");
    }

    private static void writeBody(RawHttp c, byte[] unit, int copies, boolean chunked) {
        try {
            OutputStream out = c.socket().getOutputStream();
            byte[] block = new byte[unit.length * 256];
            for (int i = 0; i < 256; i++) System.arraycopy(unit, 0, block, i * unit.length, unit.length);
            for (int written = 0; written < copies; written += 256) {
                if (chunked) out.write((Integer.toHexString(block.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(block);
                if (chunked) out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            if (chunked) out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            // the server closed the connection, as it should
        }
    }

    private static long finished(EngineTotals t) {
        return t.finishedStop() + t.finishedLength() + t.finishedAbort() + t.finishedError();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
