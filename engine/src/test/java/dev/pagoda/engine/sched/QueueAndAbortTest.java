package dev.pagoda.engine.sched;

import dev.pagoda.engine.request.SequenceId;
import dev.pagoda.engine.api.QueueFullException;
import dev.pagoda.engine.api.FinishReason;
import dev.pagoda.engine.request.RequestOutput;
import dev.pagoda.engine.request.RequestStatus;
import dev.pagoda.engine.sample.SamplingParams;
import dev.pagoda.engine.telemetry.StepStats;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bounded waiting queue, abort in every state, and requests that could never run. */
class QueueAndAbortTest {

    private static final Random RND = new Random(8);

    private static SamplingParams longRun() {
        return new SamplingParams(1, 0.0, 1.0, -1, 0.0, 0.0, 0.0, 1.0, null, 100, 0,
                List.of(), List.of(), true, null, Map.of(), false, true);
    }

    @Test
    void aFullWaitingQueueRejectsClearlyAndAcceptsAgainOnceItDrains() {
        Driver d = new Driver(new SchedulerConfig(8, 512, 256, 16, 64, true, true, 0, 2, SchedulingPolicy.FCFS));
        d.submit("a", Driver.randomTokens(RND, 10), SamplingParams.greedy(4));
        d.submit("b", Driver.randomTokens(RND, 10), SamplingParams.greedy(4));
        QueueFullException e = assertThrows(QueueFullException.class,
                () -> d.submit("c", Driver.randomTokens(RND, 10), SamplingParams.greedy(4)));
        assertTrue(e.getMessage().contains("request c") && e.getMessage().contains("maxWaitingRequests = 2"), e.getMessage());
        d.step(); // both admitted: the queue is empty again
        d.submit("c", Driver.randomTokens(RND, 10), SamplingParams.greedy(4));
        d.runToCompletion(100);
    }

    @Test
    void abortingRunningWaitingAndPreemptedRequestsGivesEveryBlockBack() {
        // 8 blocks of 4: a and b (14-token prompts) take 4 each; the first block a needs beyond that preempts b.
        Driver d = new Driver(new SchedulerConfig(2, 64, 32, 4, 8, false, true, 0, 10, SchedulingPolicy.FCFS));
        d.submit("a", Driver.randomTokens(RND, 14), longRun());
        d.submit("b", Driver.randomTokens(RND, 14), longRun());
        d.submit("c", Driver.randomTokens(RND, 5), longRun());
        SchedulerOutput preempting = null;
        for (int i = 0; i < 20 && d.scheduler.status(SequenceId.of("b")).orElseThrow() != RequestStatus.PREEMPTED; i++) preempting = d.step();
        StepStats stats = d.scheduler.stepStats(preempting, 123);
        assertEquals(new StepStats.QueueCounts(1, 2, 1), stats.queues(), "a runs; b (preempted) and c wait");
        assertEquals(1, stats.preemptions());
        assertEquals(123, stats.wallTimeNanos());
        assertEquals(5 / 8.0, stats.kvUsage(), 1e-12, "a holds 5 of 8 blocks once position 16 needs the fifth");
        assertEquals(Optional.of(RequestStatus.PREEMPTED), d.scheduler.status(SequenceId.of("b")));
        assertEquals(Optional.of(RequestStatus.WAITING), d.scheduler.status(SequenceId.of("c")));
        assertEquals(Optional.of(RequestStatus.RUNNING), d.scheduler.status(SequenceId.of("a")));
        var kv = d.scheduler.kvCacheManager();
        assertEquals(0, kv.blockTable(requestOf(d, "b")).length, "a preempted request holds nothing");

        assertAborted(d.scheduler.abort("b"), "b");
        assertAborted(d.scheduler.abort("c"), "c");
        int heldByA = kv.blockTable(requestOf(d, "a")).length;
        assertEquals(8 - heldByA, kv.numFreeBlocks());
        assertAborted(d.scheduler.abort("a"), "a");
        assertEquals(8, kv.numFreeBlocks());
        assertFalse(d.scheduler.hasUnfinishedRequests());
        assertTrue(d.scheduler.abort("a").isEmpty(), "aborting an ended request is a no-op");
        SchedulerOutput next = d.scheduler.schedule();
        assertEquals(List.of(SequenceId.of("b"), SequenceId.of("c"), SequenceId.of("a")), next.finishedSequenceIds(),
                "the runner learns which requests ended");
        assertTrue(next.isEmpty());
    }

    @Test
    void aRequestThatCouldNeverRunIsRejectedWithItsReason() {
        Scheduler s = new Scheduler(new SchedulerConfig(2, 64, 64, 4, 8, true, true, 0, 10, SchedulingPolicy.FCFS));
        var tooLong = assertThrows(IllegalArgumentException.class, () -> s.addRequest(
                new dev.pagoda.engine.request.Request("x", new int[64], SamplingParams.greedy(1), new int[0], 0, 0)));
        assertTrue(tooLong.getMessage().contains("maxModelLen is 64"), tooLong.getMessage());
        var tooBig = assertThrows(IllegalArgumentException.class, () -> s.addRequest(
                new dev.pagoda.engine.request.Request("y", new int[20], SamplingParams.greedy(30), new int[0], 0, 0)));
        assertTrue(tooBig.getMessage().contains("the pool has 8"), tooBig.getMessage());
        var tooMany = assertThrows(IllegalArgumentException.class, () -> s.addRequest(
                new dev.pagoda.engine.request.Request("z", new int[4], Workload.sampled(3, 0, 2), new int[0], 0, 0)));
        assertTrue(tooMany.getMessage().contains("maxNumSeqs = 2"), tooMany.getMessage());
        var badConfig = assertThrows(IllegalArgumentException.class,
                () -> new SchedulerConfig(2, 32, 64, 4, 8, true, false, 0, 10, SchedulingPolicy.FCFS));
        assertTrue(badConfig.getMessage().contains("maxNumBatchedTokens (32) is smaller than maxModelLen (64)"), badConfig.getMessage());
    }

    private static dev.pagoda.engine.request.Request requestOf(Driver d, String id) {
        return d.submitted.get(id);
    }

    private static void assertAborted(List<RequestOutput> outputs, String id) {
        assertEquals(1, outputs.size());
        assertEquals(id, outputs.getFirst().sequence().toString());
        assertEquals(FinishReason.ABORT, outputs.getFirst().finish().reason());
    }
}
