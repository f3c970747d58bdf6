package dev.pagoda.gui.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.engine.api.EngineState;
import dev.pagoda.engine.api.EngineTotals;
import dev.pagoda.engine.telemetry.KvSnapshot;
import dev.pagoda.engine.telemetry.KvSnapshot.BlockState;
import dev.pagoda.gui.bench.SyntheticKvSnapshots;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class KvCacheViewModelTest {

    private static EngineState state(KvSnapshot s) {
        return new EngineState(null, s, EngineTotals.ZERO);
    }

    @Test
    void everyBlockShowsWhatTheSnapshotSays() {
        for (long seed = 0; seed < 40; seed++) {
            KvSnapshot s = SyntheticKvSnapshots.busy(50 + (int) seed * 37, (int) seed % 13, 16, seed);
            KvCacheViewModel vm = new KvCacheViewModel();
            assertTrue(vm.update(state(s)), "seed " + seed);
            assertEquals(s.numBlocks(), vm.numBlocks(), "seed " + seed);
            for (int b = 0; b < s.numBlocks(); b++) {
                String at = "seed " + seed + " block " + b;
                BlockState st = s.state(b);
                // The legend's rule, restated: free grey, cached-free slate, held by one = its colour, by more = shared.
                CellKind expected = st == BlockState.FREE ? CellKind.FREE
                        : st == BlockState.CACHED_FREE ? CellKind.CACHED_FREE
                        : s.refCount(b) > 1 ? CellKind.SHARED : CellKind.HELD;
                assertEquals(expected, vm.kind(b), at);
                int color = switch (expected) {
                    case FREE -> OwnerColors.FREE;
                    case CACHED_FREE -> OwnerColors.CACHED_FREE;
                    case HELD, SHARED -> OwnerColors.forRequest(s.owners(b).getFirst());
                };
                assertEquals(color, vm.color(b), at);
                BlockInfo info = vm.blockInfo(b);
                assertEquals(List.of(b, st, s.refCount(b), s.owners(b), s.tokenCount(b)),
                        List.of(info.id(), info.state(), info.refCount(), info.owners(), info.tokenCount()), at);
                if (s.owners(b).isEmpty()) {
                    assertNull(info.tokens(), at);
                    continue;
                }
                // The block's tokens, found the slow way: scan the first owner's table for the block.
                String owner = s.owners(b).getFirst();
                int[] table = s.blockTable(owner);
                int logical = 0;
                while (table[logical] != b) logical++;
                int from = logical * s.blockSize();
                int[] expectedIds = Arrays.copyOfRange(s.tokenIds(owner), from, from + s.tokenCount(b));
                assertEquals(owner, info.tokens().requestId(), at);
                assertEquals(logical, info.tokens().logicalBlock(), at);
                assertEquals(from, info.tokens().from(), at);
                assertArrayEquals(expectedIds, info.tokens().ids(), at);
                assertNull(info.tokens().text(), at + ": no tokenizer, no text");
            }
            int[] counts = vm.countsByKind();
            assertEquals(s.count(BlockState.FREE), counts[CellKind.FREE.ordinal()], "seed " + seed);
            assertEquals(s.count(BlockState.CACHED_FREE), counts[CellKind.CACHED_FREE.ordinal()], "seed " + seed);
        }
    }

    @Test
    void blocksByRequestListsExactlyTheBlocksEachRequestOwns() {
        for (long seed = 0; seed < 30; seed++) {
            KvSnapshot s = SyntheticKvSnapshots.busy(400, 1 + (int) seed % 20, 8, seed);
            KvCacheViewModel vm = new KvCacheViewModel();
            vm.update(state(s));
            Set<String> ids = new TreeSet<>();
            for (int b = 0; b < s.numBlocks(); b++) ids.addAll(s.owners(b));
            assertEquals(ids, new TreeSet<>(vm.blocksByRequest().keySet()), "seed " + seed);
            for (String id : ids) {
                List<Integer> naive = new ArrayList<>();
                for (int b = 0; b < s.numBlocks(); b++) if (s.owners(b).contains(id)) naive.add(b);
                assertArrayEquals(naive.stream().mapToInt(Integer::intValue).toArray(), vm.blocksByRequest().get(id),
                        "seed " + seed + " request " + id);
            }
        }
    }

    @Test
    void blockTablesAreTheSnapshotsInLogicalOrderAndCoverEachRequestsBlocks() {
        for (long seed = 0; seed < 30; seed++) {
            KvSnapshot s = SyntheticKvSnapshots.busy(400, 1 + (int) seed % 20, 8, seed);
            KvCacheViewModel vm = new KvCacheViewModel();
            vm.update(state(s));
            Map<String, int[]> tables = vm.blockTables();
            assertEquals(s.requestIds(), List.copyOf(tables.keySet()), "seed " + seed);
            for (String id : s.requestIds()) {
                assertArrayEquals(s.blockTable(id), tables.get(id), "seed " + seed + " request " + id);
                int[] sorted = tables.get(id).clone();
                Arrays.sort(sorted);
                assertArrayEquals(vm.blocksByRequest().get(id), sorted, "seed " + seed + ": the table holds exactly the blocks owned by " + id);
            }
        }
    }

    @Test
    void hoverTextIsTheTokenizersDecodingOfTheBlocksTokens() {
        // A stand-in tokenizer that spells each id: the view-model must hand it exactly the block's ids.
        dev.pagoda.catalog.tokenizer.Tokenizer spelling = (dev.pagoda.catalog.tokenizer.Tokenizer) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {dev.pagoda.catalog.tokenizer.Tokenizer.class}, (proxy, m, args) -> {
                    if (!m.getName().equals("decode")) throw new UnsupportedOperationException(m.getName());
                    StringBuilder out = new StringBuilder();
                    for (int id : (int[]) args[0]) out.append('<').append(id).append('>');
                    return out.toString();
                });
        KvSnapshot s = SyntheticKvSnapshots.busy(200, 6, 4, 9);
        KvCacheViewModel vm = new KvCacheViewModel(() -> java.util.Optional.of(spelling));
        vm.update(state(s));
        int checked = 0;
        for (int b = 0; b < s.numBlocks(); b++) {
            BlockInfo info = vm.blockInfo(b);
            if (info.tokens() == null) continue;
            StringBuilder expected = new StringBuilder();
            for (int id : info.tokens().ids()) expected.append('<').append(id).append('>');
            assertEquals(expected.toString(), info.tokens().text(), "block " + b);
            assertTrue(info.describe().contains("\"" + expected + "\""), info.describe());
            checked++;
        }
        assertTrue(checked > 10, "only " + checked + " held blocks");
    }

    @Test
    void sameSnapshotIsNoRedrawANewOneIs() {
        KvCacheViewModel vm = new KvCacheViewModel();
        assertFalse(vm.update(null));
        KvSnapshot a = SyntheticKvSnapshots.busy(64, 4, 16, 1);
        assertTrue(vm.update(state(a)));
        assertFalse(vm.update(state(a)));
        assertTrue(vm.update(state(SyntheticKvSnapshots.busy(64, 4, 16, 2))));
    }

    @Test
    void aRequestKeepsItsColourAcrossSnapshotsAndNeighboursDiffer() {
        assertEquals(OwnerColors.forRequest("cmpl-7"), OwnerColors.forRequest("cmpl-7"));
        Set<Integer> colors = new java.util.HashSet<>();
        for (int i = 0; i < 64; i++) colors.add(OwnerColors.forRequest("cmpl-" + i));
        assertTrue(colors.size() >= 60, "64 consecutive ids gave only " + colors.size() + " distinct colours");
        for (int c : colors) {
            assertTrue(c != OwnerColors.FREE && c != OwnerColors.CACHED_FREE, "a request got a reserved colour");
        }
    }

    @Test
    void hsvMatchesKnownColours() {
        assertEquals(0xFFFF0000, OwnerColors.hsv(0, 1, 1));
        assertEquals(0xFF00FF00, OwnerColors.hsv(1 / 3.0, 1, 1));
        assertEquals(0xFF0000FF, OwnerColors.hsv(2 / 3.0, 1, 1));
        assertEquals(0xFF808080, OwnerColors.hsv(0.5, 0, 128 / 255.0));
    }

    @Test
    void aBlockOutsideTheMapIsAClearError() {
        KvCacheViewModel vm = new KvCacheViewModel();
        vm.update(state(SyntheticKvSnapshots.busy(10, 2, 16, 3)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> vm.blockInfo(10));
        assertEquals("block 10 is outside the map of 10 blocks", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> vm.kind(-1));
    }
}
