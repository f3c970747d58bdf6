package dev.pagoda.gui.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.engine.api.EngineState;
import dev.pagoda.engine.api.EngineTotals;
import dev.pagoda.gui.bench.SyntheticKvSnapshots;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BlockRasterTest {

    @Test
    void everyBlockIsPaintedInItsColourAndFoundUnderTheMouse() {
        for (long seed = 0; seed < 60; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            int w = 40 + rnd.nextInt(400);
            int h = 40 + rnd.nextInt(300);
            int blocks = 1 + rnd.nextInt(Math.min(3000, w * h / 4));
            KvCacheViewModel vm = new KvCacheViewModel();
            vm.update(new EngineState(null, SyntheticKvSnapshots.busy(blocks, rnd.nextInt(30), 16, seed), EngineTotals.ZERO));
            BlockRaster raster = new BlockRaster(w, h, blocks);
            raster.paint(vm);
            int cell = raster.cellSize();
            int side = cell >= 4 ? cell - 1 : cell;
            for (int b = 0; b < blocks; b++) {
                String at = "seed " + seed + " " + w + "x" + h + " block " + b + " cell " + cell;
                int[] o = raster.origin(b);
                assertTrue(o[0] + side <= w && o[1] + side <= h, at + " lies outside the canvas");
                int cx = o[0] + side / 2;
                int cy = o[1] + side / 2;
                assertEquals(vm.color(b), raster.pixels()[cy * w + cx], at);
                assertEquals(b, raster.blockAt(cx + 0.5, cy + 0.5), at);
                if (cell >= 4) {
                    int corner = raster.pixels()[o[1] * w + o[0]];
                    int expected = vm.kind(b) == CellKind.SHARED ? OwnerColors.SHARED_MARK : vm.color(b);
                    assertEquals(expected, corner, at + " corner");
                    assertEquals(OwnerColors.BACKGROUND, raster.pixels()[o[1] * w + o[0] + side], at + " gap");
                }
            }
            // The cells are as large as fit: one pixel more and the blocks would not.
            int bigger = cell + 1;
            assertTrue(cell == 2 && (w / 2) * (h / 2) < blocks || (long) (w / bigger) * (h / bigger) < blocks,
                    "seed " + seed + ": cell " + cell + " could have been " + bigger);
        }
    }

    @Test
    void outsideTheCellsIsNoBlock() {
        BlockRaster raster = new BlockRaster(100, 100, 10);
        assertEquals(-1, raster.blockAt(-1, 5));
        assertEquals(-1, raster.blockAt(99, 99));
        assertEquals(0, raster.blockAt(0, 0));
    }

    @Test
    void aViewModelOfAnotherSizeIsRefused() {
        KvCacheViewModel vm = new KvCacheViewModel();
        vm.update(new EngineState(null, SyntheticKvSnapshots.busy(20, 2, 16, 1), EngineTotals.ZERO));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BlockRaster(50, 50, 21).paint(vm));
        assertEquals("raster laid out for 21 blocks, view-model has 20", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BlockRaster(1, 50, 5));
    }
}
