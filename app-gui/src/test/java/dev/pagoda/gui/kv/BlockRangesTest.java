package dev.pagoda.gui.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BlockRangesTest {

    @Test
    void handWrittenCases() {
        assertEquals("", BlockRanges.format(new int[0]));
        assertEquals("7", BlockRanges.format(new int[] {7}));
        assertEquals("0-4 9 12-13", BlockRanges.format(new int[] {0, 1, 2, 3, 4, 9, 12, 13}));
    }

    /** Expanding the text back gives the input, for random sorted sets. */
    @Test
    void theTextExpandsBackToTheBlocks() {
        for (long seed = 0; seed < 200; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            TreeSet<Integer> set = new TreeSet<>();
            int n = rnd.nextInt(60);
            for (int i = 0; i < n; i++) set.add(rnd.nextInt(100));
            int[] blocks = set.stream().mapToInt(Integer::intValue).toArray();
            String text = BlockRanges.format(blocks);
            int[] back = text.isEmpty() ? new int[0] : java.util.Arrays.stream(text.split(" ")).flatMapToInt(part -> {
                String[] ends = part.split("-");
                int a = Integer.parseInt(ends[0]);
                int b = ends.length == 2 ? Integer.parseInt(ends[1]) : a;
                return IntStream.rangeClosed(a, b);
            }).toArray();
            assertArrayEquals(blocks, back, "seed " + seed + ": " + text);
        }
    }
}
