package dev.pagoda.engine.sched;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.engine.request.SequenceId;
import dev.pagoda.engine.sample.SamplingParams;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What crosses from the scheduler to the runner: each sequence is sent whole once (its first
 * step, and a fork's), then only by id, with block-table changes that rebuild the manager's
 * table on the runner's side — also across preemption and copy-on-write, where the change
 * starts before the table's end.
 */
class SchedulerOutputProtocolTest {

    private static final Random RND = new Random(21);

    private static SamplingParams run(int n, int maxTokens) {
        return new SamplingParams(n, n > 1 ? 1.0 : 0.0, 1.0, -1, 0.0, 0.0, 0.0, 1.0, 5L, maxTokens, 0,
                List.of(), List.of(), true, null, Map.of(), false, true);
    }

    @Test
    void sequencesAreSentOnceAndTheirTablesThroughChanges() {
        // 8 blocks of 4: a and b (14-token prompts) take 4 each; growing a preempts b, which later resumes
        Driver d = new Driver(new SchedulerConfig(4, 64, 32, 4, 8, false, true, 0, 10, SchedulingPolicy.FCFS));
        d.submit("a", Driver.randomTokens(RND, 14), run(1, 12));
        d.submit("b", Driver.randomTokens(RND, 14), run(1, 12));
        d.submit("c", Driver.randomTokens(RND, 6), run(2, 3));
        Map<SequenceId, Integer> sent = new HashMap<>();
        int changesBeforeTheEnd = 0;
        boolean preempted = false;
        while (d.scheduler.hasUnfinishedRequests()) {
            assertTrue(d.steps < 500, "not finished after 500 steps");
            SchedulerOutput out = d.scheduler.schedule();
            for (NewSequence n : out.newSequences()) sent.merge(n.id(), 1, Integer::sum);
            for (ScheduledSequence s : out.sequences()) {
                int[] held = d.model.table(s.id());
                if (held != null && s.newBlocksFrom() < held.length) changesBeforeTheEnd++;
            }
            d.model.receive(out);
            for (ScheduledSequence s : out.sequences()) {
                assertArrayEquals(d.scheduler.kvCacheManager().blockTables().get(s.id()), d.model.table(s.id()),
                        "step " + out.stepIndex() + ": " + s.id() + "'s table rebuilt from its changes");
            }
            d.collect(d.scheduler.update(out, d.model.execute(out)));
            d.steps++;
            preempted |= out.preemptions() > 0;
        }
        assertTrue(preempted, "the workload preempts");
        assertTrue(changesBeforeTheEnd > 0, "a resumed or copied-on-write table changes before its end");
        assertEquals(Map.of(SequenceId.of("a"), 1, SequenceId.of("b"), 1, SequenceId.of("c"), 1, new SequenceId("c", 1), 1), sent,
                "every sequence, forks included, is sent whole exactly once");
    }
}
