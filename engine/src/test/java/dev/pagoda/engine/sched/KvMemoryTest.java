package dev.pagoda.engine.sched;

import dev.pagoda.engine.request.SequenceId;
import dev.pagoda.engine.request.Request;
import dev.pagoda.engine.request.RequestStatus;
import dev.pagoda.engine.sample.SamplingParams;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How much of the allocated KV memory holds tokens, and that a shared prompt is stored once. */
class KvMemoryTest {

    private static final int BLOCK_SIZE = 16;

    private static SamplingParams fixedLength(int maxTokens) {
        return new SamplingParams(1, 0.0, 1.0, -1, 0.0, 0.0, 0.0, 1.0, null, maxTokens, 0,
                List.of(), List.of(), true, null, Map.of(), false, true);
    }

    @Test
    void wasteOf200RandomLengthRequestsIsAtMost4Percent() {
        Random rnd = new Random(2026);
        Driver d = new Driver(new SchedulerConfig(256, 8192, 4096, BLOCK_SIZE, 200 * 128 + 64, false, true, 0, 1000,
                SchedulingPolicy.FCFS));
        List<Request> requests = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int total = 128 + rnd.nextInt(2048 - 128 + 1); // prompt + output tokens
            requests.add(d.submit("m" + i, Driver.randomTokens(rnd, total - 16), fixedLength(16)));
        }
        long peakSlots = 0, usedAtPeak = 0;
        while (d.scheduler.hasUnfinishedRequests()) {
            d.step();
            // allocated slots from the block tables, used tokens from the requests' own counters
            long slots = 0;
            for (int[] table : d.scheduler.kvCacheManager().blockTables().values()) slots += (long) table.length * BLOCK_SIZE;
            long used = 0;
            for (Request r : requests) if (r.status() == RequestStatus.RUNNING) used += r.numComputedTokens();
            if (slots > peakSlots) {
                peakSlots = slots;
                usedAtPeak = used;
            }
        }
        double waste = (peakSlots - usedAtPeak) / (double) peakSlots;
        System.out.printf("KV waste at peak (block size 16, 200 requests of 128-2048 tokens): %.3f%% (%d slots, %d tokens)%n",
                100 * waste, peakSlots, usedAtPeak);
        assertTrue(waste <= 0.04, "waste " + waste);
        assertTrue(usedAtPeak > 100_000, "the peak must hold most requests at once, held " + usedAtPeak);
    }

    @Test
    void aSharedSystemPromptIsStoredOnceWithPrefixCaching() {
        int on = heldBlocksWithSharedPrompt(true);
        int off = heldBlocksWithSharedPrompt(false);
        System.out.printf("50 requests sharing a 1000-token system prompt: %d blocks held with prefix caching, %d without%n", on, off);
        assertTrue(on < off);
    }

    /** Returns the blocks held once all 50 prompts are computed, after checking how the 62 full system-prompt blocks are shared. */
    private static int heldBlocksWithSharedPrompt(boolean caching) {
        Random rnd = new Random(11);
        int[] system = Driver.randomTokens(rnd, 1000);
        int fullSystemBlocks = 1000 / BLOCK_SIZE;
        Driver d = new Driver(new SchedulerConfig(256, 8192, 4096, BLOCK_SIZE, 8192, caching, true, 0, 1000,
                SchedulingPolicy.FCFS));
        List<Request> requests = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int[] suffix = Driver.randomTokens(rnd, 16 + rnd.nextInt(185));
            int[] prompt = new int[1000 + suffix.length];
            System.arraycopy(system, 0, prompt, 0, 1000);
            System.arraycopy(suffix, 0, prompt, 1000, suffix.length);
            requests.add(d.submit("p" + i, prompt, fixedLength(500)));
            if (i == 0) d.step(); // the first request computes (and caches) the system prompt first
        }
        while (requests.stream().anyMatch(r -> r.numOutputTokens() == 0)) d.step();

        var kv = d.scheduler.kvCacheManager();
        Map<SequenceId, int[]> tables = kv.blockTables();
        assertEquals(50, tables.size());
        int[] first = tables.get(SequenceId.of("p0"));
        long expectedHeld = caching ? fullSystemBlocks : 0;
        for (Request r : requests) {
            int[] table = tables.get(r.id());
            assertEquals((r.numComputedTokens() + BLOCK_SIZE - 1) / BLOCK_SIZE, table.length, r.id().toString());
            expectedHeld += table.length - (caching ? fullSystemBlocks : 0);
            for (int i = 0; i < fullSystemBlocks; i++) {
                if (caching) {
                    assertEquals(first[i], table[i], r.id() + " block " + i + " must be the shared one");
                    assertEquals(50, kv.pool().refCount(table[i]));
                } else {
                    assertEquals(1, kv.pool().refCount(table[i]));
                    if (r != requests.getFirst()) assertNotEquals(first[i], table[i]);
                }
            }
        }
        int held = kv.numBlocks() - kv.numFreeBlocks();
        assertEquals(expectedHeld, held);
        return held;
    }
}
