package dev.pagoda.engine.sched;

import dev.pagoda.engine.request.SequenceId;
import dev.pagoda.engine.api.QueueFullException;
import dev.pagoda.engine.kv.BlockCopy;
import dev.pagoda.engine.kv.BlockPool;
import dev.pagoda.engine.kv.KvCacheManager;
import dev.pagoda.engine.api.FinishReason;
import dev.pagoda.engine.request.RequestStatus;
import dev.pagoda.engine.sample.SamplingParams;
import dev.pagoda.engine.telemetry.KvSnapshot;
import dev.pagoda.engine.telemetry.KvSnapshot.BlockState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded random submit / abort / step sequences over small pools (constant preemption), every
 * block size, n > 1 forks, both policies, chunked and unchunked, caching on and off. After every
 * step the block accounting is recounted from the block tables and compared with the pool; at
 * the end every block must be back. Sequences that finished normally must also match the unpaged
 * reference. Failures name the seed.
 */
class SchedulerAccountingPropertyTest {

    private static final int SEEDS = 2000;
    private static final int MAX_MODEL_LEN = 64;

    @Test
    void blocksAreAccountedForAfterEveryStepAndAllReturnAtTheEnd() {
        long cpuStart = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        long scheduledSteps = 0, preemptions = 0, forks = 0;
        for (int seed = 0; seed < SEEDS; seed++) {
            try {
                Stats s = runSeed(seed);
                scheduledSteps += s.steps;
                preemptions += s.preemptions;
                forks += s.forks;
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
            }
        }
        long cpuMs = (java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuStart) / 1_000_000;
        System.out.printf("accounting: %d seeds, %d steps, %d preemptions, %d n>1 requests, %d ms CPU%n",
                SEEDS, scheduledSteps, preemptions, forks, cpuMs);
        assertTrue(preemptions > 1000, "the tiny pools must force preemption; saw " + preemptions);
    }

    private record Stats(int steps, int preemptions, int forks) {}

    private static Stats runSeed(long seed) {
        Random rnd = new Random(seed);
        int blockSize = new int[] {1, 2, 4, 8, 16}[rnd.nextInt(5)];
        int minBlocks = (MAX_MODEL_LEN + blockSize - 1) / blockSize;
        int numBlocks = minBlocks + rnd.nextInt(2 * minBlocks + 1);
        boolean chunked = rnd.nextInt(4) != 0;
        int budget = chunked ? 1 + rnd.nextInt(80) : MAX_MODEL_LEN + rnd.nextInt(40);
        SchedulerConfig config = new SchedulerConfig(1 + rnd.nextInt(8), budget, MAX_MODEL_LEN, blockSize, numBlocks,
                rnd.nextBoolean(), chunked, chunked && rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(20) : 0,
                1 + rnd.nextInt(10), rnd.nextBoolean() ? SchedulingPolicy.FCFS : SchedulingPolicy.PRIORITY);
        Driver d = new Driver(config);
        d.priorities = id -> Math.floorMod(id.hashCode(), 3);
        int[][] prefixes = {Driver.randomTokens(rnd, 40), Driver.randomTokens(rnd, 40)};
        Map<String, int[]> expected = new HashMap<>();
        List<String> ids = new ArrayList<>();
        int forks = 0;
        int ops = 30 + rnd.nextInt(60);
        for (int op = 0; op < ops; op++) {
            int kind = rnd.nextInt(10);
            if (kind < 3) {
                String id = "s" + op;
                int length = 1 + rnd.nextInt(Math.min(50, MAX_MODEL_LEN - 1));
                int[] prompt = Driver.randomTokens(rnd, length);
                if (rnd.nextBoolean()) System.arraycopy(prefixes[rnd.nextInt(2)], 0, prompt, 0, Math.min(40, length));
                SamplingParams params = randomParams(rnd, config.maxNumSeqs());
                try {
                    d.submit(id, prompt, params);
                } catch (QueueFullException full) {
                    assertTrue(d.scheduler.numWaiting() >= config.maxWaitingRequests(), full.getMessage());
                    continue;
                }
                if (params.n() > 1) forks++;
                for (int k = 0; k < params.n(); k++) {
                    String seqId = k == 0 ? id : id + "#" + k;
                    ids.add(seqId);
                    expected.put(seqId, ReferenceGenerator.generate(prompt, params, k, MAX_MODEL_LEN));
                }
            } else if (kind < 4 && !ids.isEmpty()) {
                d.collect(d.scheduler.abort(ids.get(rnd.nextInt(ids.size()))));
                checkAccounting(d.scheduler, null, d.model);
            } else if (d.scheduler.hasUnfinishedRequests()) {
                // checked between schedule and update: the next step's check covers this update's frees
                d.step(out -> checkAccounting(d.scheduler, out, d.model));
            }
        }
        if (rnd.nextBoolean()) {
            d.runToCompletion(d.steps + 5000);
        } else {
            for (String id : ids) d.collect(d.scheduler.abort(id));
        }
        checkAccounting(d.scheduler, null, d.model);
        KvCacheManager kv = d.scheduler.kvCacheManager();
        assertEquals(numBlocksOf(config), kv.numFreeBlocks(), "free + cached-free != total after all requests ended");
        KvSnapshot snap = kv.snapshot();
        assertEquals(numBlocksOf(config), snap.count(BlockState.FREE) + snap.count(BlockState.CACHED_FREE));
        for (var e : d.finishes.entrySet()) {
            FinishReason reason = e.getValue().reason();
            if (reason == FinishReason.STOP || reason == FinishReason.LENGTH) {
                assertArrayEquals(expected.get(e.getKey()), d.output(e.getKey()), "output of " + e.getKey());
            }
        }
        return new Stats(d.steps, d.preemptions, forks);
    }

    private static int numBlocksOf(SchedulerConfig c) {
        return c.numBlocks();
    }

    private static SamplingParams randomParams(Random rnd, int maxNumSeqs) {
        int n = 1 + rnd.nextInt(Math.min(3, maxNumSeqs));
        int maxTokens = 1 + rnd.nextInt(20);
        List<Integer> stops = rnd.nextInt(4) == 0 ? List.of(1 + rnd.nextInt(FakePagedModel.VOCAB - 1)) : List.of();
        return new SamplingParams(n, n > 1 ? 1.0 : 0.0, 1.0, -1, 0.0, 0.0, 0.0, 1.0, rnd.nextLong(), maxTokens,
                rnd.nextInt(3), List.of(), stops, rnd.nextInt(5) == 0, null, Map.of(), false, true);
    }

    /**
     * Recounts every block's references from the block tables and compares with the pool; with a
     * step just scheduled ({@code out} not null) also checks limits, table coverage and that every
     * block written this step is owned by its writer alone.
     */
    static void checkAccounting(Scheduler scheduler, SchedulerOutput out, FakePagedModel runner) {
        KvCacheManager kv = scheduler.kvCacheManager();
        BlockPool pool = kv.pool();
        int total = pool.numBlocks();
        Map<SequenceId, int[]> tables = kv.blockTables();
        int[] listed = new int[total];
        for (var e : tables.entrySet()) {
            assertEquals(RequestStatus.RUNNING, scheduler.status(e.getKey()).orElse(null),
                    "only running requests may hold blocks: " + e.getKey());
            for (int b : e.getValue()) listed[b]++;
        }
        int held = 0;
        for (int b = 0; b < total; b++) {
            assertTrue(pool.refCount(b) >= 0, "negative ref count on block " + b);
            assertEquals(listed[b], pool.refCount(b), "block " + b + ": ref count vs block tables listing it");
            if (pool.refCount(b) > 0) held++;
        }
        int[] queue = pool.freeQueueOrder();
        Set<Integer> inQueue = new HashSet<>();
        for (int b : queue) {
            assertEquals(0, pool.refCount(b), "held block " + b + " in the free queue");
            assertTrue(inQueue.add(b), "block " + b + " twice in the free queue");
        }
        assertEquals(pool.numFreeBlocks(), queue.length);
        int cachedFree = pool.countCachedFreeBlocks();
        assertEquals(total, (queue.length - cachedFree) + cachedFree + held, "free + cached-free + held != total");
        KvSnapshot snap = kv.snapshot();
        assertEquals(queue.length - cachedFree, snap.count(BlockState.FREE));
        assertEquals(cachedFree, snap.count(BlockState.CACHED_FREE));
        assertEquals(held, snap.count(BlockState.HELD) + snap.count(BlockState.HELD_CACHED));

        SchedulerConfig c = scheduler.config();
        assertTrue(scheduler.numRunning() <= c.maxNumSeqs(), "running " + scheduler.numRunning() + " > maxNumSeqs");
        if (out == null) return;
        assertTrue(out.totalScheduledTokens() <= c.maxNumBatchedTokens(), "token budget exceeded: " + out.totalScheduledTokens());
        assertTrue(out.sequences().size() <= c.maxNumSeqs(), "too many sequences: " + out.sequences().size());
        Set<Integer> copyTargets = new HashSet<>();
        for (BlockCopy copy : out.blockCopies()) assertTrue(copyTargets.add(copy.dst()), "two copies into block " + copy.dst());
        for (ScheduledSequence s : out.sequences()) {
            assertTrue(s.numTokens() > 0, "empty sequence scheduled: " + s.id());
            if (c.longPrefillTokenThreshold() > 0) assertTrue(s.numTokens() <= c.longPrefillTokenThreshold());
            runner.receive(out); // the table the runner rebuilds from the step's change
            int[] table = runner.table(s.id());
            assertArrayEquals(tables.get(s.id()), table, "runner's table vs manager for " + s.id());
            assertEquals((s.sequenceLength() + c.blockSize() - 1) / c.blockSize(), table.length,
                    "blocks of " + s.id() + " for " + s.sequenceLength() + " tokens");
            for (int p = s.startPosition(); p < s.sequenceLength(); p++) {
                int b = table[p / c.blockSize()];
                assertEquals(1, pool.refCount(b), s.id() + " writes position " + p + " into shared block " + b);
                assertTrue(pool.hash(b) == null, s.id() + " writes into cached block " + b);
            }
        }
        for (int dst : copyTargets) {
            assertTrue(tables.values().stream().anyMatch(t -> Arrays.stream(t).anyMatch(x -> x == dst)), "copy into unowned block " + dst);
        }
    }
}
