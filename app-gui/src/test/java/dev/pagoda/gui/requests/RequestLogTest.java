package dev.pagoda.gui.requests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.engine.api.RequestTimings;
import dev.pagoda.engine.api.SampleDelta;
import dev.pagoda.engine.api.StreamEvent;
import dev.pagoda.engine.api.Usage;
import dev.pagoda.engine.api.FinishReason;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestLogTest {

    private static StreamEvent tokens(String id, int n) {
        return new StreamEvent(id, List.of(new SampleDelta(0, new int[n], "", List.of(), null, null)), false, null, null, null);
    }

    private static StreamEvent last(String id, int n, FinishReason reason, Usage usage, RequestTimings timings, String error) {
        return new StreamEvent(id, List.of(new SampleDelta(0, new int[n], "", List.of(), reason, null)), true, usage, timings, error);
    }

    @Test
    void rowsFollowTheStreamAndTheEnginesFiguresWinAtTheEnd() {
        long[] now = {1_000};
        RequestLog log = new RequestLog(10, () -> now[0]);
        log.submitted("a", 7);
        long v0 = log.version();
        assertEquals(List.of(new RequestLogEntry("a", 7, 0, Double.NaN, "running", false)), log.entries());

        now[0] = 1_000 + 40_000_000L; // first token 40 ms after submission, as the consumer saw it
        log.event(tokens("a", 1));
        assertNotEquals(v0, log.version());
        assertEquals(new RequestLogEntry("a", 7, 1, 0.040, "running", false), log.entries().getFirst());
        log.event(tokens("a", 2));
        assertEquals(3, log.entries().getFirst().outputTokens());

        // At the end: the usage's count and the engine's TTFT (arrived 0, first token at 25 ms), and the finish reason.
        log.event(last("a", 1, FinishReason.LENGTH, new Usage(7, 4, 0), new RequestTimings(0, 1_000_000, 25_000_000, 90_000_000), null));
        assertEquals(new RequestLogEntry("a", 7, 4, 0.025, "length", true), log.entries().getFirst());

        log.submitted("b", 3);
        log.event(last("b", 0, FinishReason.ERROR, new Usage(3, 0, 0), new RequestTimings(0, -1, -1, 5), "boom"));
        RequestLogEntry b = log.entries().get(1);
        assertEquals("error: boom", b.status());
        assertTrue(Double.isNaN(b.ttftSeconds()), "no token, no TTFT");
        assertTrue(b.finished());

        long v = log.version();
        log.event(tokens("unknown", 3)); // an evicted or foreign id changes nothing
        assertEquals(v, log.version());
    }

    @Test
    void aStreamClosedBeforeItsLastEventEndsItsRowAsAbortedAndAFinishedRowStaysAsItIs() {
        RequestLog log = new RequestLog(10, () -> 0);
        log.submitted("gone", 4);
        log.event(tokens("gone", 2));
        log.closed("gone");
        assertEquals(new RequestLogEntry("gone", 4, 2, 0.0, "abort (stream closed by its reader)", true), log.entries().getFirst());
        log.submitted("done", 4);
        log.event(last("done", 1, FinishReason.STOP, new Usage(4, 1, 0), new RequestTimings(0, 1, 2, 3), null));
        RequestLogEntry before = log.entries().get(1);
        log.closed("done");
        assertEquals(before, log.entries().get(1));
        assertEquals("stop", before.status());
    }

    @Test
    void theOldestRowsGoBeyondCapacity() {
        RequestLog log = new RequestLog(3, () -> 0);
        for (int i = 0; i < 5; i++) log.submitted("r" + i, i + 1);
        assertEquals(List.of("r2", "r3", "r4"), log.entries().stream().map(RequestLogEntry::requestId).toList());
        assertEquals(List.of(3, 4, 5), log.entries().stream().map(RequestLogEntry::promptTokens).toList());
    }
}
