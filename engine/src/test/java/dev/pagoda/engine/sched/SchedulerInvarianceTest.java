package dev.pagoda.engine.sched;

import dev.pagoda.engine.sample.SamplingParams;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Outputs must not depend on how the scheduler pages, batches, chunks, preempts or caches: every
 * configuration is compared with {@link ReferenceGenerator}, which generates each request alone
 * over a plain token list.
 */
class SchedulerInvarianceTest {

    private static final int MAX_MODEL_LEN = 4096;
    private static final Workload WORKLOAD = Workload.random(7, 64, 300, 48);
    private static final Map<String, int[]> EXPECTED = WORKLOAD.expected(MAX_MODEL_LEN);
    private static final int[] TARGET_PROMPT = Driver.randomTokens(new Random(99), 150);
    private static final SamplingParams TARGET_PARAMS = SamplingParams.greedy(40);

    private static Driver runAll(SchedulerConfig config, boolean withTarget) {
        return runAll(new Driver(config), withTarget);
    }

    private static Driver runAll(Driver d, boolean withTarget) {
        SchedulerConfig config = d.scheduler.config();
        for (Workload.Item item : WORKLOAD.items()) d.submit(item.id(), item.prompt(), item.params());
        if (withTarget) d.submit("target", TARGET_PROMPT, TARGET_PARAMS);
        d.runToCompletion(20_000);
        for (var e : EXPECTED.entrySet()) {
            assertArrayEquals(e.getValue(), d.output(e.getKey()), "request " + e.getKey() + " under " + config);
        }
        assertEquals(config.numBlocks(), d.scheduler.kvCacheManager().numFreeBlocks(), "blocks not all back under " + config);
        return d;
    }

    @Test
    void aloneAndAmong64OthersGiveTheReferenceOutput() {
        int[] expected = ReferenceGenerator.generate(TARGET_PROMPT, TARGET_PARAMS, 0, MAX_MODEL_LEN);
        Driver alone = new Driver(Driver.config(16, 4096, 512, true));
        alone.submit("target", TARGET_PROMPT, TARGET_PARAMS);
        alone.runToCompletion(1000);
        assertArrayEquals(expected, alone.output("target"));

        Driver crowd = runAll(Driver.config(16, 4096, 512, true), true);
        assertArrayEquals(expected, crowd.output("target"));
    }

    @Test
    void blockSizes8_16_32GiveTheReferenceOutput() {
        for (int blockSize : new int[] {8, 16, 32}) {
            runAll(Driver.config(blockSize, 65536 / blockSize, 512, true), false);
        }
    }

    @Test
    void chunkSizesGiveTheReferenceOutput() {
        for (int budget : new int[] {7, 64, 1000}) {
            Driver d = runAll(Driver.config(16, 4096, budget, true), false);
            assertTrue(d.steps > 0);
        }
        SchedulerConfig unchunked = new SchedulerConfig(256, MAX_MODEL_LEN, MAX_MODEL_LEN, 16, 4096, true,
                false, 0, 10_000, SchedulingPolicy.FCFS);
        runAll(unchunked, false);
        SchedulerConfig threshold = new SchedulerConfig(256, 512, MAX_MODEL_LEN, 16, 4096, true,
                true, 33, 10_000, SchedulingPolicy.FCFS);
        runAll(threshold, false);
    }

    @Test
    void forcedPreemptionGivesTheReferenceOutput() {
        // The longest sequence (300 + 48 tokens) needs 22 blocks of 16; 30 blocks force constant preemption.
        for (SchedulingPolicy policy : SchedulingPolicy.values()) {
            for (boolean caching : new boolean[] {true, false}) {
                SchedulerConfig tiny = new SchedulerConfig(256, 512, MAX_MODEL_LEN, 16, 30, caching,
                        true, 0, 10_000, policy);
                Driver d = runAll(tiny, false);
                assertTrue(d.preemptions > 10, "only " + d.preemptions + " preemptions under " + tiny);
            }
        }
    }

    @Test
    void prefixCachingOnAndOffGiveTheReferenceOutput() {
        Driver on = runAll(Driver.config(16, 4096, 512, true), false);
        Driver off = runAll(Driver.config(16, 4096, 512, false), false);
        assertTrue(on.prefixHitTokens > 0, "the workload shares prefixes, so caching must hit");
        assertEquals(0, off.prefixHitTokens);
        System.out.printf("prefix caching: %d hit tokens; steps on %d vs off %d%n", on.prefixHitTokens, on.steps, off.steps);
    }

    @Test
    void prioritiesReorderButDoNotChangeOutputs() {
        SchedulerConfig config = new SchedulerConfig(4, 64, MAX_MODEL_LEN, 8, 60, true, true, 0, 10_000,
                SchedulingPolicy.PRIORITY);
        Driver d = new Driver(config);
        d.priorities = id -> Math.floorMod(id.hashCode(), 5);
        runAll(d, false);
        assertTrue(d.preemptions > 0, "a 60-block pool must preempt");
    }
}
