package dev.pagoda.catalog.quant;

import dev.pagoda.catalog.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Encodes float rows into the byte layouts llama.cpp reads. Q8_0 and Q4_0 follow ggml's reference
 * quantizers ({@code quantize_row_q8_0_ref}, {@code quantize_row_q4_0_ref} in ggml-quants.c)
 * operation for operation, so the bytes equal what llama.cpp itself would write; F16 rounds to
 * nearest even like ggml's {@code GGML_FP32_TO_FP16}.
 */
public final class Quantize {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final int QK8_0 = 32;
    private static final int QK4_0 = 32;

    private Quantize() {}

    /** The types {@link #encode} can write. */
    public static boolean canEncode(DType type) {
        return type == DType.F32 || type == DType.F16 || type == DType.Q8_0 || type == DType.Q4_0;
    }

    /**
     * Encodes {@code n} floats from {@code src[srcOff..]} into {@code dst} at {@code dstOff}
     * ({@code type.bytesFor(n)} bytes). {@code n} must be a whole number of blocks.
     */
    public static void encode(DType type, float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        long bytes = type.bytesFor(n); // rejects partial blocks
        if (dstOff < 0 || dstOff + bytes > dst.byteSize() || srcOff < 0 || srcOff + n > src.length) {
            throw new IndexOutOfBoundsException("encode " + n + " " + type + " values: range outside buffers");
        }
        switch (type) {
            case F32 -> MemorySegment.copy(src, srcOff, dst, F32, dstOff, n);
            case F16 -> {
                for (int i = 0; i < n; i++) dst.set(I16, dstOff + 2L * i, Float.floatToFloat16(src[srcOff + i]));
            }
            case Q8_0 -> q8_0(src, srcOff, n, dst, dstOff);
            case Q4_0 -> q4_0(src, srcOff, n, dst, dstOff);
            default -> throw new IllegalArgumentException("cannot encode " + type + " (supported: F32, F16, Q8_0, Q4_0)");
        }
    }

    /** Encodes a whole array into a new heap segment. */
    public static MemorySegment encode(DType type, float[] src) {
        MemorySegment dst = MemorySegment.ofArray(new byte[Math.toIntExact(type.bytesFor(src.length))]);
        encode(type, src, 0, src.length, dst, 0);
        return dst;
    }

    // quantize_row_q8_0_ref: d = amax / 127, q = roundf(x / d) computed as x * (1/d).
    private static void q8_0(float[] x, int off, int n, MemorySegment y, long yOff) {
        for (int i = 0; i < n / QK8_0; i++) {
            int base = off + i * QK8_0;
            float amax = 0.0f;
            for (int j = 0; j < QK8_0; j++) amax = Math.max(amax, Math.abs(x[base + j]));
            float d = amax / ((1 << 7) - 1);
            float id = d != 0 ? 1.0f / d : 0.0f;
            long block = yOff + (long) i * 34;
            y.set(I16, block, Float.floatToFloat16(d));
            for (int j = 0; j < QK8_0; j++) {
                float x0 = x[base + j] * id;
                y.set(ValueLayout.JAVA_BYTE, block + 2 + j, (byte) roundf(x0));
            }
        }
    }

    // quantize_row_q4_0_ref: d = max / -8 where max is the signed value of largest magnitude;
    // q = min(15, (int8_t)(x/d + 8.5)); element j in the low nibble, j + 16 in the high nibble.
    private static void q4_0(float[] x, int off, int n, MemorySegment y, long yOff) {
        for (int i = 0; i < n / QK4_0; i++) {
            int base = off + i * QK4_0;
            float amax = 0.0f;
            float max = 0.0f;
            for (int j = 0; j < QK4_0; j++) {
                float v = x[base + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8;
            float id = d != 0 ? 1.0f / d : 0.0f;
            long block = yOff + (long) i * 18;
            y.set(I16, block, Float.floatToFloat16(d));
            for (int j = 0; j < QK4_0 / 2; j++) {
                float x0 = x[base + j] * id;
                float x1 = x[base + QK4_0 / 2 + j] * id;
                int xi0 = Math.min(15, (byte) (int) (x0 + 8.5f));
                int xi1 = Math.min(15, (byte) (int) (x1 + 8.5f));
                y.set(ValueLayout.JAVA_BYTE, block + 2 + j, (byte) (xi0 | (xi1 << 4)));
            }
        }
    }

    /** C's {@code roundf}: halves round away from zero (Java's Math.round rounds them up). */
    static float roundf(float v) {
        double r = Math.floor(Math.abs((double) v) + 0.5);
        return (float) Math.copySign(r, v);
    }
}
