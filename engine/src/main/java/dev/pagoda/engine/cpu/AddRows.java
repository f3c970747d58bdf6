package dev.pagoda.engine.cpu;

import java.lang.foreign.MemorySegment;

/**
 * {@code target += delta} over whole buffers: a residual add the CPU backend could not fuse into
 * the next RMSNorm ({@link RmsNorm#addAndApply} is the fused form).
 */
public final class AddRows {

    private AddRows() {}

    /**
     * @param delta  (floats) f32
     * @param target (floats) f32, updated in place
     */
    public static void apply(MemorySegment delta, MemorySegment target, long floats) {
        FloatRows.requireFloats(delta, floats, "residual delta");
        FloatRows.requireFloats(target, floats, "residual");
        for (long off = 0; off < floats; off += Integer.MAX_VALUE / 2) {
            FloatRows.add(delta, off, target, off, (int) Math.min(floats - off, Integer.MAX_VALUE / 2));
        }
    }
}
