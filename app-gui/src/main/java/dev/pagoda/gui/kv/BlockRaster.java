package dev.pagoda.gui.kv;

import java.util.Arrays;

/**
 * Lays every block out as a square cell in rows and paints the map into an ARGB pixel buffer, in
 * plain Java: one {@code setPixels} then puts the whole map on the Canvas. Sixteen thousand
 * {@code fillRect} calls a frame would each become a render command; filling an int array is a
 * few hundred microseconds.
 *
 * <p>Cells are as large as fits {@code width x height} for {@code numBlocks}, at least 2 px; with
 * 4 px or more a 1 px gap separates them and shared blocks get a white border inside.
 */
public final class BlockRaster {

    private final int width;
    private final int height;
    private final int numBlocks;
    private final int cell;     // pixels per cell side, gap included
    private final int columns;
    private final int[] pixels; // (height, width) ARGB

    public BlockRaster(int width, int height, int numBlocks) {
        if (width < 2 || height < 2) throw new IllegalArgumentException("block map needs at least 2x2 pixels, got " + width + "x" + height);
        if (numBlocks < 0) throw new IllegalArgumentException("numBlocks must be >= 0, got " + numBlocks);
        this.width = width;
        this.height = height;
        this.numBlocks = numBlocks;
        this.cell = cellSize(width, height, numBlocks);
        this.columns = Math.max(1, width / cell);
        this.pixels = new int[width * height];
    }

    /** The largest cell side such that all blocks fit, never below 2. */
    static int cellSize(int width, int height, int numBlocks) {
        if (numBlocks == 0) return Math.min(width, height);
        int c = Math.max(2, (int) Math.sqrt((double) width * height / numBlocks));
        while (c > 2 && (long) (width / c) * (height / c) < numBlocks) c--;
        return c;
    }

    public int width() { return width; }
    public int height() { return height; }
    public int cellSize() { return cell; }
    public int numBlocks() { return numBlocks; }

    /** The painted buffer, (height, width) ARGB; valid until the next {@link #paint}. */
    public int[] pixels() { return pixels; }

    /** Block under the pixel (x, y), or -1 for the background, the gaps excluded only visually. */
    public int blockAt(double x, double y) {
        if (x < 0 || y < 0) return -1;
        int col = (int) (x / cell);
        int row = (int) (y / cell);
        if (col >= columns) return -1;
        long block = (long) row * columns + col;
        return block < numBlocks ? (int) block : -1;
    }

    /** Top-left pixel of the block's cell, as {x, y}. */
    public int[] origin(int block) {
        return new int[] {(block % columns) * cell, (block / columns) * cell};
    }

    /** Paints every block of {@code vm}, which must have this raster's block count. */
    public void paint(KvCacheViewModel vm) {
        if (vm.numBlocks() != numBlocks) {
            throw new IllegalArgumentException("raster laid out for " + numBlocks + " blocks, view-model has " + vm.numBlocks());
        }
        Arrays.fill(pixels, OwnerColors.BACKGROUND);
        int gap = cell >= 4 ? 1 : 0;
        int side = cell - gap;
        for (int b = 0; b < numBlocks; b++) {
            int x0 = (b % columns) * cell;
            int y0 = (b / columns) * cell;
            if (y0 + side > height) break; // cannot happen by cellSize(); guards a degenerate 2 px case
            int color = vm.color(b);
            boolean marked = gap > 0 && vm.kind(b) == CellKind.SHARED;
            for (int y = 0; y < side; y++) {
                int row = (y0 + y) * width + x0;
                if (marked && (y == 0 || y == side - 1)) {
                    Arrays.fill(pixels, row, row + side, OwnerColors.SHARED_MARK);
                } else {
                    Arrays.fill(pixels, row, row + side, color);
                    if (marked) {
                        pixels[row] = OwnerColors.SHARED_MARK;
                        pixels[row + side - 1] = OwnerColors.SHARED_MARK;
                    }
                }
            }
        }
    }
}
