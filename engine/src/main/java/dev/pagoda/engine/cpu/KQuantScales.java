package dev.pagoda.engine.cpu;

import java.lang.foreign.MemorySegment;

/**
 * The packed 6-bit sub-block scales and mins of Q4_K and Q5_K (ggml {@code get_scale_min_k4}):
 * 12 bytes hold eight (scale, min) pairs; pairs 0..3 sit in the low 6 bits of bytes 0..3 and
 * 4..7, pairs 4..7 are split between the nibbles of bytes 8..11 and the top 2 bits of 0..7.
 */
final class KQuantScales {

    private KQuantScales() {}

    /** Scale of sub-block {@code j} (0..7) from the 12 bytes at {@code scales}. */
    static int scale(MemorySegment w, long scales, int j) {
        if (j < 4) return u8(w, scales + j) & 63;
        return (u8(w, scales + j + 4) & 0xF) | ((u8(w, scales + j - 4) >> 6) << 4);
    }

    /** Min of sub-block {@code j} (0..7) from the 12 bytes at {@code scales}. */
    static int min(MemorySegment w, long scales, int j) {
        if (j < 4) return u8(w, scales + j + 4) & 63;
        return (u8(w, scales + j + 4) >> 4) | ((u8(w, scales + j) >> 6) << 4);
    }

    private static int u8(MemorySegment w, long offset) {
        return w.get(java.lang.foreign.ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }
}
