package dev.pagoda.engine.sched;

import dev.pagoda.engine.request.SequenceId;
import dev.pagoda.engine.api.FinishReason;
import dev.pagoda.engine.sample.SampledToken;
import dev.pagoda.engine.request.Request;
import dev.pagoda.engine.request.RequestOutput;
import dev.pagoda.engine.sample.SamplingParams;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Token-level stops in update(): a scripted runner returns chosen tokens; expectations follow vLLM's check_stop. */
class StopRulesTest {

    private static final int EOS = 2;

    private static SamplingParams params(Integer maxTokens, int minTokens, List<Integer> stopIds, boolean ignoreEos) {
        return new SamplingParams(1, 0.0, 1.0, -1, 0.0, 0.0, 0.0, 1.0, null, maxTokens, minTokens,
                List.of(), stopIds, ignoreEos, null, Map.of(), false, true);
    }

    /** Runs one request to its end, the runner answering {@code script} in order; returns its outputs. */
    private static List<RequestOutput> run(int maxModelLen, int promptLength, SamplingParams params, int... script) {
        Scheduler s = new Scheduler(new SchedulerConfig(4, 64, maxModelLen, 4, 32, true, true, 0, 10, SchedulingPolicy.FCFS));
        s.addRequest(new Request("r", new int[promptLength], params, new int[] {EOS, 99}, 0, 0));
        List<RequestOutput> outputs = new ArrayList<>();
        int next = 0;
        while (s.hasUnfinishedRequests()) {
            SchedulerOutput out = s.schedule();
            Map<SequenceId, SampledToken> sampled = new HashMap<>();
            for (ScheduledSequence q : out.sequences()) if (q.sample()) sampled.put(q.id(), SampledToken.of(script[next++]));
            outputs.addAll(s.update(out, ModelRunnerOutput.of(sampled)));
        }
        return outputs;
    }

    private static int[] tokens(List<RequestOutput> outputs) {
        return outputs.stream().flatMapToInt(o -> java.util.Arrays.stream(o.newTokenIds())).toArray();
    }

    @Test
    void eosStopsAndIsKeptInTheOutputIds() {
        List<RequestOutput> out = run(64, 5, params(10, 0, List.of(), false), 5, EOS, 7);
        assertArrayEquals(new int[] {5, EOS}, tokens(out));
        assertEquals(FinishReason.STOP, out.getLast().finish().reason());
        assertNull(out.getLast().finish().stopTokenId(), "EOS is not a stop_reason");
        assertEquals(2, out.size(), "one delta per sampled token");
    }

    @Test
    void anyEosIdOfTheModelStops() {
        assertArrayEquals(new int[] {5, 99}, tokens(run(64, 5, params(10, 0, List.of(), false), 5, 99, 7)));
    }

    @Test
    void eosIsIgnoredUntilMinTokensWereGenerated() {
        List<RequestOutput> out = run(64, 5, params(10, 3, List.of(), false), EOS, EOS, EOS, EOS, EOS);
        assertArrayEquals(new int[] {EOS, EOS, EOS, EOS}, tokens(out));
        assertEquals(FinishReason.STOP, out.getLast().finish().reason());
    }

    @Test
    void ignoreEosRunsToMaxTokens() {
        List<RequestOutput> out = run(64, 5, params(3, 0, List.of(), true), EOS, EOS, EOS, EOS);
        assertArrayEquals(new int[] {EOS, EOS, EOS}, tokens(out));
        assertEquals(FinishReason.LENGTH, out.getLast().finish().reason());
    }

    @Test
    void stopTokenIdStopsAndIsReported() {
        List<RequestOutput> out = run(64, 5, params(10, 0, List.of(7), false), 5, 7, 8);
        assertArrayEquals(new int[] {5, 7}, tokens(out));
        assertEquals(FinishReason.STOP, out.getLast().finish().reason());
        assertEquals(7, out.getLast().finish().stopTokenId());
    }

    @Test
    void theContextLengthEndsARequestWithoutMaxTokens() {
        List<RequestOutput> out = run(10, 7, params(null, 0, List.of(), false), 3, 4, 5, 6);
        assertArrayEquals(new int[] {3, 4, 5}, tokens(out), "7 prompt + 3 output tokens fill maxModelLen 10");
        assertEquals(FinishReason.LENGTH, out.getLast().finish().reason());
    }

    @Test
    void aFailedSequenceEndsAloneWithItsError() {
        Scheduler s = new Scheduler(new SchedulerConfig(4, 64, 64, 4, 32, true, true, 0, 10, SchedulingPolicy.FCFS));
        s.addRequest(new Request("bad", new int[] {1, 2, 3}, params(5, 0, List.of(), false), new int[] {EOS}, 0, 0));
        s.addRequest(new Request("good", new int[] {1, 2, 4}, params(2, 0, List.of(), false), new int[] {EOS}, 1, 0));
        SchedulerOutput out = s.schedule();
        List<RequestOutput> outputs = s.update(out, new ModelRunnerOutput(Map.of(SequenceId.of("good"), SampledToken.of(9)),
                Map.of(SequenceId.of("bad"), "NaN in logits")));
        RequestOutput bad = outputs.stream().filter(o -> o.sequence().toString().equals("bad")).findFirst().orElseThrow();
        assertEquals(FinishReason.ERROR, bad.finish().reason());
        assertEquals("NaN in logits", bad.finish().error());
        out = s.schedule();
        assertEquals(List.of(SequenceId.of("bad")), out.finishedSequenceIds());
        outputs = s.update(out, ModelRunnerOutput.of(Map.of()));
        assertTrue(outputs.getFirst().finish().error().contains("returned no token for request good"), outputs.toString());
        assertEquals(32, s.kvCacheManager().numFreeBlocks());
    }
}
