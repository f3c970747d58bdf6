package dev.pagoda.engine.cpu;

import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Decodes single rows of a stored tensor to f32: what embedding lookups need (one row per
 * token, never the whole matrix) and how small tensors (norm weights, biases) become f32 once at
 * load time. Supports F32, F16, BF16 and the GGML block types Q8_0 and Q4_0 (layouts per
 * ggml-common.h: an f16 scale then the quants; Q4_0 keeps elements 0..15 in the low nibbles).
 */
public final class TensorRows {

    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private TensorRows() {}

    /** Elements per row: the last dimension (a 1-D tensor is one row). */
    public static int rowLength(TensorData t) {
        return Math.toIntExact(t.dim(t.rank() - 1));
    }

    public static long rowCount(TensorData t) {
        return t.elementCount() / rowLength(t);
    }

    /** Fails with the tensor's name unless its dtype can be decoded here. */
    public static void requireSupported(TensorData t) {
        switch (t.dtype()) {
            case F32, F16, BF16, Q8_0, Q4_0 -> { }
            default -> throw new IllegalArgumentException(t.name() + ": dtype " + t.dtype()
                    + " cannot be decoded row by row; supported are F32, F16, BF16, Q8_0, Q4_0");
        }
        if (t.data().byteSize() < t.dtype().bytesFor(t.elementCount())) {
            throw new IllegalArgumentException(t.name() + ": holds " + t.data().byteSize() + " bytes, shape "
                    + java.util.Arrays.toString(t.shape()) + " " + t.dtype() + " needs " + t.dtype().bytesFor(t.elementCount()));
        }
    }

    /**
     * Writes row {@code row} of {@code t} as f32 into {@code out} starting at float index
     * {@code outOffset}.
     */
    public static void decodeRow(TensorData t, long row, MemorySegment out, long outOffset) {
        int n = rowLength(t);
        if (row < 0 || row >= rowCount(t)) {
            throw new IllegalArgumentException(t.name() + ": row " + row + " outside [0, " + rowCount(t) + ")");
        }
        MemorySegment src = t.data();
        long base = row * t.dtype().bytesFor(n);
        switch (t.dtype()) {
            case F32 -> MemorySegment.copy(src, base, out, outOffset * Float.BYTES, (long) n * Float.BYTES);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out.setAtIndex(F32, outOffset + i, Float.float16ToFloat(src.get(I16, base + 2L * i)));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out.setAtIndex(F32, outOffset + i, Float.intBitsToFloat((src.get(I16, base + 2L * i) & 0xFFFF) << 16));
                }
            }
            case Q8_0 -> decodeQ8_0(src, base, n, out, outOffset);
            case Q4_0 -> decodeQ4_0(src, base, n, out, outOffset);
            default -> requireSupported(t);
        }
    }

    /** Decodes a whole (small) tensor into a fresh f32 segment from {@code arena}. */
    public static MemorySegment decodeAll(TensorData t, java.lang.foreign.Arena arena) {
        requireSupported(t);
        MemorySegment out = arena.allocate(t.elementCount() * Float.BYTES, 64);
        int n = rowLength(t);
        for (long r = 0; r < rowCount(t); r++) decodeRow(t, r, out, r * n);
        return out;
    }

    private static void decodeQ8_0(MemorySegment src, long base, int n, MemorySegment out, long outOffset) {
        int blocks = n / DType.Q8_0.blockElements;
        for (int b = 0; b < blocks; b++) {
            long blk = base + (long) b * DType.Q8_0.blockBytes;
            float d = Float.float16ToFloat(src.get(I16, blk));
            long o = outOffset + (long) b * 32;
            for (int i = 0; i < 32; i++) out.setAtIndex(F32, o + i, d * src.get(ValueLayout.JAVA_BYTE, blk + 2 + i));
        }
    }

    private static void decodeQ4_0(MemorySegment src, long base, int n, MemorySegment out, long outOffset) {
        int blocks = n / DType.Q4_0.blockElements;
        for (int b = 0; b < blocks; b++) {
            long blk = base + (long) b * DType.Q4_0.blockBytes;
            float d = Float.float16ToFloat(src.get(I16, blk));
            long o = outOffset + (long) b * 32;
            for (int i = 0; i < 16; i++) {
                int q = src.get(ValueLayout.JAVA_BYTE, blk + 2 + i) & 0xFF;
                out.setAtIndex(F32, o + i, d * ((q & 0x0F) - 8));
                out.setAtIndex(F32, o + i + 16, d * ((q >>> 4) - 8));
            }
        }
    }
}
