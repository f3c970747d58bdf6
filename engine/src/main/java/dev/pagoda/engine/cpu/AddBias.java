package dev.pagoda.engine.cpu;

import java.lang.foreign.MemorySegment;

/**
 * Adds one bias row to every row of a matrix: {@code x[r, :] += bias}. Qwen2's q/k/v projections
 * carry biases; {@link Linear} has none, so the model adds them after the matmul.
 */
public final class AddBias {

    private AddBias() {}

    /**
     * @param x    (rows, cols) f32, updated in place
     * @param bias (cols) f32
     */
    public static void apply(MemorySegment x, MemorySegment bias, int rows, int cols) {
        FloatRows.requireFloats(x, (long) rows * cols, "bias target");
        FloatRows.requireFloats(bias, cols, "bias");
        for (int r = 0; r < rows; r++) FloatRows.add(bias, 0, x, (long) r * cols, cols);
    }
}
