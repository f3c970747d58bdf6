package dev.pagoda.engine.sched;

import dev.pagoda.engine.request.SequenceId;
import dev.pagoda.engine.kv.BlockCopy;
import dev.pagoda.engine.kv.KvCacheManager;
import dev.pagoda.engine.sample.SamplingParams;
import dev.pagoda.engine.telemetry.KvSnapshot;
import dev.pagoda.engine.telemetry.KvSnapshot.BlockState;
import dev.pagoda.engine.telemetry.StepStats;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** n = 4 shares the prompt's blocks and copies only the partial last block, on first write. */
class ParallelSamplingTest {

    private static final String[] IDS = {"g", "g#1", "g#2", "g#3"};

    @Test
    void fourSamplesShareThePromptBlocksAndCopyThePartialLastBlockOnWrite() {
        Driver d = new Driver(Driver.config(16, 64, 512, true));
        int[] prompt = Driver.randomTokens(new Random(3), 37);
        SamplingParams params = new SamplingParams(4, 1.0, 1.0, -1, 0.0, 0.0, 0.0, 1.0, 1234L, 10, 0,
                List.of(), List.of(), true, null, Map.of(), false, true); // ignore_eos: all four live through the checks
        d.submit("g", prompt, params);
        KvCacheManager kv = d.scheduler.kvCacheManager();

        // Step 0: the parent computes 36 of 37 prompt tokens (2 full blocks + 4 tokens) and samples nothing.
        SchedulerOutput prefill = d.step();
        assertEquals(1, prefill.sequences().size());
        assertEquals(36, prefill.sequences().getFirst().numTokens());
        assertFalse(prefill.sequences().getFirst().sample());
        Map<String, int[]> tables = byName(kv.blockTables());
        assertEquals(Set.of(IDS), tables.keySet());
        int[] shared = tables.get("g");
        assertEquals(3, shared.length);
        for (String id : IDS) assertArrayEquals(shared, tables.get(id), id);
        for (int b : shared) assertEquals(4, kv.pool().refCount(b), "block " + b);
        KvSnapshot snap = d.scheduler.kvSnapshot();
        int[] filled = {16, 16, 4};
        for (int i = 0; i < 3; i++) {
            assertEquals(Set.of(IDS), Set.copyOf(snap.owners(shared[i])));
            assertEquals(4, snap.refCount(shared[i]));
            assertEquals(filled[i], snap.tokenCount(shared[i]));
            assertEquals(i < 2 ? BlockState.HELD_CACHED : BlockState.HELD, snap.state(shared[i]), "only full blocks are cached");
        }
        assertEquals(61, snap.count(BlockState.FREE));
        assertEquals(3 / 64.0, snap.usage(), 1e-12);

        // Step 1: each sample computes prompt token 36 into the shared partial block: three copy it first,
        // the last one left holding it writes in place.
        SchedulerOutput fanOut = d.step();
        assertEquals(4, fanOut.sequences().size());
        assertEquals(3, fanOut.blockCopies().size());
        Set<Integer> destinations = new HashSet<>();
        for (BlockCopy c : fanOut.blockCopies()) {
            assertEquals(shared[2], c.src());
            destinations.add(c.dst());
        }
        assertEquals(3, destinations.size());
        Set<Integer> lastBlocks = new HashSet<>();
        Map<String, int[]> after = byName(kv.blockTables());
        for (String id : IDS) {
            int[] t = after.get(id);
            assertEquals(shared[0], t[0]);
            assertEquals(shared[1], t[1]);
            lastBlocks.add(t[2]);
        }
        assertEquals(4, lastBlocks.size(), "each sample owns its last block");
        assertEquals(4, kv.pool().refCount(shared[0]));
        assertEquals(4, kv.pool().refCount(shared[1]));
        for (int b : lastBlocks) assertEquals(1, kv.pool().refCount(b));
        StepStats stats = d.scheduler.stepStats(fanOut, 0);
        assertEquals(4, stats.prefillTokens(), "token 36 is a prompt token for every sample");

        SchedulerOutput decode = d.step();
        assertEquals(4, d.scheduler.stepStats(decode, 0).decodeTokens());
        d.runToCompletion(100);
        Set<List<Integer>> distinct = new HashSet<>();
        for (int k = 0; k < 4; k++) {
            assertArrayEquals(ReferenceGenerator.generate(prompt, params, k, 4096), d.output(IDS[k]), IDS[k]);
            distinct.add(d.tokens.get(IDS[k]));
        }
        assertTrue(distinct.size() > 1, "samples with different indices should differ");
        assertEquals(64, kv.numFreeBlocks());
    }

    @Test
    void abortingTheSubmittedIdAbortsEverySample() {
        Driver d = new Driver(Driver.config(16, 64, 512, true));
        d.submit("g", Driver.randomTokens(new Random(4), 37), Workload.sampled(4, 1, 50));
        d.step();
        d.step();
        var outputs = d.scheduler.abort("g");
        assertEquals(4, outputs.size());
        assertFalse(d.scheduler.hasUnfinishedRequests());
        for (var o : outputs) assertEquals(dev.pagoda.engine.api.FinishReason.ABORT, o.finish().reason(), o.sequence().toString());
        assertEquals(64, d.scheduler.kvCacheManager().numFreeBlocks());
    }

    /** The manager's tables under the sequences' display names ("g", "g#1", ...). */
    private static Map<String, int[]> byName(Map<SequenceId, int[]> tables) {
        Map<String, int[]> out = new java.util.LinkedHashMap<>();
        tables.forEach((id, table) -> out.put(id.toString(), table));
        return out;
    }
}
