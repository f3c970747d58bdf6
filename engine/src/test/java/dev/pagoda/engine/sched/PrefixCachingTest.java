package dev.pagoda.engine.sched;

import dev.pagoda.engine.request.Request;
import dev.pagoda.engine.request.RequestOutput;
import dev.pagoda.engine.sample.SamplingParams;
import dev.pagoda.engine.telemetry.KvSnapshot.BlockState;
import dev.pagoda.engine.telemetry.StepStats;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A request sharing a cached prefix computes only what is not cached (numbers worked out by hand). */
class PrefixCachingTest {

    private final Random rnd = new Random(5);
    private final int[] prefix = Driver.randomTokens(rnd, 1000);

    private int[] withSuffix(int suffixLength) {
        int[] p = Arrays.copyOf(prefix, 1000 + suffixLength);
        int[] s = Driver.randomTokens(rnd, suffixLength);
        System.arraycopy(s, 0, p, 1000, suffixLength);
        return p;
    }

    private static ScheduledSequence only(SchedulerOutput out, String id) {
        return out.sequences().stream().filter(s -> s.id().toString().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void aSecondRequestComputesOnlyItsSuffixAfterTheFirstFinished() {
        Driver d = new Driver(Driver.config(16, 1024, 8192, true));
        int[] a = withSuffix(40);
        d.submit("a", a, SamplingParams.greedy(5));
        d.runToCompletion(100);
        // a held 1040 prompt + 4 computed output tokens = 1044 tokens: 65 full blocks stay cached after it ended
        assertEquals(65, d.scheduler.kvSnapshot().count(BlockState.CACHED_FREE));

        int[] b = withSuffix(50);
        d.submit("b", b, SamplingParams.greedy(5));
        SchedulerOutput first = d.step();
        ScheduledSequence sb = only(first, "b");
        // 1000 shared tokens = 62 full blocks of 16 (992 tokens); the other 1050 - 992 = 58 are computed
        assertEquals(992, sb.startPosition());
        assertEquals(58, sb.numTokens());
        assertEquals(new StepStats.PrefixCacheStats(1050, 992), first.prefixCache());
        StepStats stats = d.scheduler.stepStats(first, 0);
        assertEquals(List.of(new StepStats.ScheduledTokens("b", 58, 0)), stats.scheduled());
        d.runToCompletion(100);
        assertArrayEquals(ReferenceGenerator.generate(b, SamplingParams.greedy(5), 0, 4096), d.output("b"));
    }

    @Test
    void aFullyCachedPromptStillRecomputesItsLastBlockToSampleTheLastPosition() {
        Driver d = new Driver(Driver.config(16, 1024, 8192, true));
        int[] a = withSuffix(40);
        d.submit("a", a, SamplingParams.greedy(5));
        d.runToCompletion(100);
        int[] c = Arrays.copyOf(a, 1008); // exactly 63 blocks, all cached
        Request rc = d.submit("c", c, SamplingParams.greedy(3));
        ScheduledSequence sc = only(d.step(), "c");
        // at most (1008 - 1) / 16 = 62 blocks may be hit, so the 63rd block's 16 tokens are computed again
        assertEquals(992, sc.startPosition());
        assertEquals(16, sc.numTokens());
        assertEquals(true, sc.sample());
        d.runToCompletion(100);
        assertEquals(992, rc.numCachedTokens());
        assertArrayEquals(ReferenceGenerator.generate(c, SamplingParams.greedy(3), 0, 4096), d.output("c"));
    }

    @Test
    void aRequestArrivingWhileTheFirstRunsHitsItsComputedBlocksAndReportsCachedTokens() {
        Driver d = new Driver(Driver.config(16, 1024, 8192, true));
        d.submit("a", withSuffix(40), SamplingParams.greedy(20));
        d.step(); // a's prompt is computed and its full blocks are cached after this update
        int[] b = withSuffix(7);
        d.submit("b", b, SamplingParams.greedy(4));
        ScheduledSequence sb = only(d.step(), "b");
        assertEquals(992, sb.startPosition());
        assertEquals(1007 - 992, sb.numTokens());
        List<RequestOutput> last = List.of();
        while (d.scheduler.hasUnfinishedRequests()) {
            SchedulerOutput out = d.scheduler.schedule();
            last = d.scheduler.update(out, d.model.execute(out));
            d.collect(last);
            if (last.stream().anyMatch(o -> o.sequence().toString().equals("b") && o.finished())) break;
        }
        RequestOutput bEnd = last.stream().filter(o -> o.sequence().toString().equals("b")).findFirst().orElseThrow();
        assertEquals(992, bEnd.numCachedTokens());
        assertArrayEquals(ReferenceGenerator.generate(b, SamplingParams.greedy(4), 0, 4096), d.output("b"));
    }
}
