package dev.pagoda.webapi.bench.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Timing of OpenAI SSE streams from lines stamped with chosen clock values (nanoseconds). */
class StreamTimelineTest {

    private static final long MS = 1_000_000;

    @Test
    void chatRoleChunkIsNotTheFirstToken() {
        StreamTimeline t = new StreamTimeline(Endpoint.CHAT, 0);
        t.line("data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}", 1 * MS);
        t.line("", 1 * MS);
        t.line("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}", 40 * MS);
        t.line("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"}}]}", 55 * MS);
        t.line("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}", 56 * MS);
        t.line("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"!\"}}]}", 75 * MS);
        t.line("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15}}", 76 * MS);
        t.line("data: [DONE]", 80 * MS);
        RequestResult r = t.finish(99, 81 * MS);
        assertTrue(r.success(), r.error());
        assertEquals(0.040, r.ttft(), 1e-12);
        assertEquals(List.of(0.015, 0.020), r.itl().stream().map(x -> Math.round(x * 1e6) / 1e6).toList());
        assertEquals(0.080, r.latency(), 1e-12, "ends at [DONE]");
        assertEquals(12, r.promptTokens(), "the server's count wins over the planned one");
        assertEquals(3, r.outputTokens());
    }

    @Test
    void completionsTextChunks() {
        StreamTimeline t = new StreamTimeline(Endpoint.COMPLETIONS, 10 * MS);
        t.line("data: {\"choices\":[{\"index\":0,\"text\":\"a\"}],\"usage\":null}", 30 * MS);
        t.line("data: {\"choices\":[{\"index\":0,\"text\":\"b c\"}],\"usage\":null}", 50 * MS);
        t.line("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3}}", 51 * MS);
        t.line("data: [DONE]", 52 * MS);
        RequestResult r = t.finish(5, 60 * MS);
        assertTrue(r.success(), r.error());
        assertEquals(0.020, r.ttft(), 1e-12);
        assertEquals(1, r.itl().size(), "two tokens in one chunk are one gap, as vLLM counts chunks");
        assertEquals(0.020, r.itl().getFirst(), 1e-12);
        assertEquals(3, r.outputTokens());
    }

    @Test
    void failuresSayWhy() {
        StreamTimeline noDone = new StreamTimeline(Endpoint.COMPLETIONS, 0);
        noDone.line("data: {\"choices\":[{\"text\":\"a\"}]}", MS);
        RequestResult r = noDone.finish(4, 2 * MS);
        assertFalse(r.success());
        assertTrue(r.error().contains("[DONE]"), r.error());
        assertEquals(4, r.promptTokens());

        StreamTimeline error = new StreamTimeline(Endpoint.CHAT, 0);
        error.line("data: {\"error\":{\"message\":\"engine failed\",\"type\":\"InternalServerError\"}}", MS);
        error.line("data: [DONE]", 2 * MS);
        assertEquals("error in stream: engine failed", error.finish(4, 3 * MS).error());

        StreamTimeline noUsage = new StreamTimeline(Endpoint.COMPLETIONS, 0);
        noUsage.line("data: {\"choices\":[{\"text\":\"a\"}]}", MS);
        noUsage.line("data: [DONE]", 2 * MS);
        assertTrue(noUsage.finish(4, 3 * MS).error().contains("usage"));

        StreamTimeline garbage = new StreamTimeline(Endpoint.COMPLETIONS, 0);
        garbage.line("data: {not json", MS);
        assertTrue(garbage.finish(4, 3 * MS).error().contains("not JSON"));
    }
}
