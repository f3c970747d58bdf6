package dev.pagoda.webapi.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.webapi.testing.FakeEngine;
import dev.pagoda.webapi.testing.FixtureModel;
import dev.pagoda.webapi.testing.Http;
import dev.pagoda.webapi.testing.PrometheusText;
import dev.pagoda.webapi.testing.RawHttp;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A client that opens a request, sends part of its body and hangs up, 10,000 times in a loop: every
 * one is counted in {@code /metrics}, the log gets at most 100 lines and no stack trace (it once got
 * 112 MB in 15 s), and the server goes on serving.
 */
class ClientFaultLogTest {

    static final int CUT_OFF_BODIES = 10_000;

    @Test
    void tenThousandCutOffBodiesWriteAtMostAHundredLogLines() throws Exception {
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.INFO.intValue()) records.add(r);
            }
            @Override public void flush() {}
            @Override public void close() {}
        };
        Logger root = Logger.getLogger("");
        FakeEngine engine = new FakeEngine(FixtureModel.info(), 8, 64, Duration.ofMillis(1));
        try (PagodaServer server = PagodaServer.start(engine, ServerOptions.local())) {
            root.addHandler(capture);
            String partial = "POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 1000\r\n\r\n{\"prompt\":\"cut";
            try (ExecutorService clients = Executors.newFixedThreadPool(8)) {
                assertTimeoutPreemptively(Duration.ofSeconds(120), () -> clients.invokeAll(IntStream.range(0, 8)
                        .mapToObj(t -> (java.util.concurrent.Callable<Void>) () -> {
                            for (int i = 0; i < CUT_OFF_BODIES / 8; i++) {
                                try (RawHttp c = RawHttp.connect(server.port())) {
                                    c.send(partial);
                                }
                            }
                            return null;
                        }).toList()));
            }
            Http http = new Http(URI.create("http://127.0.0.1:" + server.port()), null);
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                while (faults(http) < CUT_OFF_BODIES) Thread.sleep(50);
            });
            root.removeHandler(capture);
            assertEquals(CUT_OFF_BODIES, faults(http), "every cut-off body is counted");
            assertEquals(200, http.post("/v1/completions", "{\"prompt\":\"fine\",\"max_tokens\":2}").status());
        } finally {
            root.removeHandler(capture);
            engine.close();
        }
        assertTrue(records.size() <= 100, records.size() + " log lines, first: "
                + records.stream().limit(3).map(LogRecord::getMessage).toList());
        assertTrue(records.stream().allMatch(r -> r.getThrown() == null), "a stack trace was logged: "
                + records.stream().filter(r -> r.getThrown() != null).findFirst().map(LogRecord::getMessage).orElse(""));
    }

    private static double faults(Http http) {
        return PrometheusText.parse(http.get("/metrics").body()).valueOrZero("pagoda:http_client_faults_total", "reason", "incomplete_body");
    }
}
