package dev.pagoda.engine.sched;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.engine.request.SequenceId;
import dev.pagoda.engine.kv.KvCacheManager;
import dev.pagoda.engine.request.Request;
import dev.pagoda.engine.sample.SamplingParams;
import dev.pagoda.engine.telemetry.KvSnapshot;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The snapshot's per-request block tables and tokens, step after step of random workloads with
 * shared prefixes, chunked prefill and preemption: each table equals the KV-cache manager's, and
 * each request's tokens equal its submitted prompt followed by the tokens the driver collected from
 * the scheduler's outputs (not read back from the Request).
 */
class KvSnapshotTablesTest {

    @Test
    void tablesAndTokensFollowTheManagerAndTheOutputsEveryStep() {
        int checkedTables = 0;
        int withOutput = 0;
        for (long seed = 0; seed < 12; seed++) {
            Random rnd = new Random(seed);
            // Few blocks so that requests preempt each other; a small token budget so prompts are chunked.
            int blockSize = 1 + rnd.nextInt(8);
            Driver d = new Driver(Driver.config(blockSize, 40 + rnd.nextInt(40), 16 + rnd.nextInt(48), rnd.nextBoolean()));
            int[] prefix = Driver.randomTokens(rnd, 3 * blockSize + rnd.nextInt(blockSize));
            Map<String, int[]> prompts = new java.util.HashMap<>();
            for (int i = 0; i < 6; i++) {
                int[] own = Driver.randomTokens(rnd, 1 + rnd.nextInt(30));
                int[] prompt = rnd.nextBoolean() ? concat(prefix, own) : own;
                String id = "r" + i;
                prompts.put(id, prompt);
                d.submit(id, prompt, SamplingParams.greedy(4 + rnd.nextInt(20)).toBuilder().ignoreEos(true).build());
            }
            KvCacheManager kv = d.scheduler.kvCacheManager();
            while (d.scheduler.hasUnfinishedRequests()) {
                assertTrue(d.steps < 2000, "seed " + seed + ": not finished after 2000 steps");
                d.step();
                KvSnapshot snap = d.scheduler.kvSnapshot();
                Map<SequenceId, int[]> tables = kv.blockTables();
                String at = "seed " + seed + ", step " + d.steps;
                assertEquals(tables.keySet().stream().map(SequenceId::toString).toList(), snap.requestIds(), at);
                for (var e : tables.entrySet()) {
                    String id = e.getKey().toString();
                    Request r = d.submitted.get(id);
                    assertArrayEquals(e.getValue(), snap.blockTable(id), at + ", table of " + id);
                    assertArrayEquals(kv.blockTable(r), snap.blockTable(id), at + ", table of " + id);
                    int[] expectedTokens = concat(prompts.get(id), d.output(id));
                    assertArrayEquals(expectedTokens, snap.tokenIds(id), at + ", tokens of " + id);
                    assertEquals(r.numComputedTokens(), snap.computedTokens(id), at + ", computed tokens of " + id);
                    int from = rnd.nextInt(expectedTokens.length + 1);
                    int to = from + rnd.nextInt(2 * blockSize);
                    assertArrayEquals(Arrays.copyOfRange(expectedTokens, from, Math.min(to, expectedTokens.length)),
                            snap.tokenIds(id, from, to), at + ", tokens [" + from + ", " + to + ") of " + id);
                    assertBlocksOwned(snap, id, e.getValue(), at);
                    checkedTables++;
                    if (d.output(id).length > 0) withOutput++;
                }
            }
            assertEquals(List.of(), d.scheduler.kvSnapshot().requestIds(), "seed " + seed + ": finished requests keep no table");
        }
        assertTrue(checkedTables > 500 && withOutput > 100, "too little compared: " + checkedTables + " tables, " + withOutput + " with output");
    }

    @Test
    void aSnapshotIsNotChangedByLaterSteps() {
        Driver d = new Driver(Driver.config(4, 64, 64, true));
        d.submit("a", Driver.randomTokens(new Random(1), 10), SamplingParams.greedy(8).toBuilder().ignoreEos(true).build());
        d.step();
        KvSnapshot first = d.scheduler.kvSnapshot();
        int[] table = first.blockTable("a");
        int[] tokens = first.tokenIds("a");
        d.runToCompletion(100);
        assertArrayEquals(table, first.blockTable("a"));
        assertArrayEquals(tokens, first.tokenIds("a"));
        assertEquals(11, tokens.length, "10 prompt tokens and the first sampled one");
        assertEquals(0, first.tokenIds("unknown").length);
        assertEquals(0, first.blockTable("unknown").length);
    }

    /** Every block of the table lists the request among its owners, as the per-block arrays say. */
    private static void assertBlocksOwned(KvSnapshot snap, String id, int[] table, String at) {
        for (int b : table) assertTrue(snap.owners(b).contains(id), at + ": block " + b + " does not list " + id);
    }

    private static int[] concat(int[] a, int[] b) {
        return IntStream.concat(Arrays.stream(a), Arrays.stream(b)).toArray();
    }
}
