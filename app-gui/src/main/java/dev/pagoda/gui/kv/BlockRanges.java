package dev.pagoda.gui.kv;

/**
 * Block lists as runs, "0-4 9 12-15": a request's blocks are mostly consecutive when the cache is
 * young and scatter as it churns, and the runs show both at a glance in far fewer characters.
 */
public final class BlockRanges {

    private BlockRanges() {}

    /** {@code blocks} in the given order as space-separated single ids and first-last runs of consecutive ids. */
    public static String format(int[] blocks) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < blocks.length) {
            int j = i;
            while (j + 1 < blocks.length && blocks[j + 1] == blocks[j] + 1) j++;
            if (!out.isEmpty()) out.append(' ');
            out.append(blocks[i]);
            if (j > i) out.append('-').append(blocks[j]);
            i = j + 1;
        }
        return out.toString();
    }
}
