package dev.pagoda.catalog.quant;

import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Decodes stored elements to float. Block layouts and arithmetic follow ggml-common.h and the
 * {@code dequantize_row_*} functions of ggml-quants.c, in the same float operation order (a C
 * compiler may still fuse {@code d * q - m} into one FMA, which can differ in the last bit).
 */
public final class Dequantize {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int QK_K = 256;

    private Dequantize() {}

    /** Whether {@link #row} decodes this type. */
    public static boolean canDecode(DType type) {
        return switch (type) {
            case F32, F16, BF16, F8_E4M3, Q8_0, Q4_0, Q4_K, Q5_K, Q6_K -> true;
            default -> false;
        };
    }

    /**
     * Decodes {@code n} elements (whole blocks) starting at byte {@code srcOff} of {@code src} into
     * {@code dst[dstOff..dstOff+n)}.
     */
    public static void row(DType type, MemorySegment src, long srcOff, float[] dst, int dstOff, int n) {
        long bytes = type.bytesFor(n); // rejects partial blocks
        if (srcOff < 0 || srcOff + bytes > src.byteSize() || dstOff < 0 || dstOff + n > dst.length) {
            throw new IndexOutOfBoundsException("decode " + n + " " + type + " values: range outside buffers");
        }
        switch (type) {
            case F32 -> MemorySegment.copy(src, F32, srcOff, dst, dstOff, n);
            case F16 -> {
                for (int i = 0; i < n; i++) dst[dstOff + i] = f16(src, srcOff + 2L * i);
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    dst[dstOff + i] = Float.intBitsToFloat((src.get(I16, srcOff + 2L * i) & 0xFFFF) << 16);
                }
            }
            case F8_E4M3 -> {
                for (int i = 0; i < n; i++) dst[dstOff + i] = e4m3(u8(src, srcOff + i));
            }
            case Q8_0 -> {
                for (int b = 0; b < n / 32; b++) q8_0(src, srcOff + b * 34L, dst, dstOff + b * 32);
            }
            case Q4_0 -> {
                for (int b = 0; b < n / 32; b++) q4_0(src, srcOff + b * 18L, dst, dstOff + b * 32);
            }
            case Q4_K -> {
                for (int b = 0; b < n / QK_K; b++) q4_k(src, srcOff + b * 144L, dst, dstOff + b * QK_K);
            }
            case Q5_K -> {
                for (int b = 0; b < n / QK_K; b++) q5_k(src, srcOff + b * 176L, dst, dstOff + b * QK_K);
            }
            case Q6_K -> {
                for (int b = 0; b < n / QK_K; b++) q6_k(src, srcOff + b * 210L, dst, dstOff + b * QK_K);
            }
            default -> throw new IllegalArgumentException("cannot decode " + type);
        }
    }

    /** A whole (small) tensor as floats, row-major in its shape order. */
    public static float[] toFloats(TensorData tensor) {
        long n = tensor.elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(tensor + " is too large to decode into one array");
        }
        float[] out = new float[(int) n];
        row(tensor.dtype(), tensor.data(), 0, out, 0, (int) n);
        return out;
    }

    /** OCP FP8 E4M3 (as in safetensors F8_E4M3): bias 7, no infinities, S.1111.111 is NaN. */
    static float e4m3(int bits) {
        int sign = (bits & 0x80) != 0 ? -1 : 1;
        int exp = (bits >> 3) & 0xF;
        int mant = bits & 0x7;
        if (exp == 0xF && mant == 0x7) return Float.NaN;
        float magnitude = exp == 0
                ? mant / 8.0f * 0x1p-6f
                : (1 + mant / 8.0f) * Math.scalb(1.0f, exp - 7);
        return sign * magnitude;
    }

    // block_q8_0 { ggml_half d; int8_t qs[32]; }: y = qs[j] * d
    private static void q8_0(MemorySegment x, long at, float[] y, int yAt) {
        float d = f16(x, at);
        for (int j = 0; j < 32; j++) y[yAt + j] = x.get(ValueLayout.JAVA_BYTE, at + 2 + j) * d;
    }

    // block_q4_0 { ggml_half d; uint8_t qs[16]; }: low nibble -> element j, high -> j + 16, offset 8
    private static void q4_0(MemorySegment x, long at, float[] y, int yAt) {
        float d = f16(x, at);
        for (int j = 0; j < 16; j++) {
            int q = u8(x, at + 2 + j);
            y[yAt + j] = ((q & 0x0F) - 8) * d;
            y[yAt + j + 16] = ((q >> 4) - 8) * d;
        }
    }

    // block_q4_K { ggml_half d, dmin; uint8_t scales[12]; uint8_t qs[128]; }
    private static void q4_k(MemorySegment x, long at, float[] y, int yAt) {
        float d = f16(x, at);
        float min = f16(x, at + 2);
        long scales = at + 4;
        long q = at + 16;
        int out = yAt;
        for (int is = 0; is < 8; is += 2, q += 32) {
            int sm0 = scaleMinK4(is, x, scales);
            int sm1 = scaleMinK4(is + 1, x, scales);
            float d1 = d * (sm0 >> 8), m1 = min * (sm0 & 0xFF);
            float d2 = d * (sm1 >> 8), m2 = min * (sm1 & 0xFF);
            for (int l = 0; l < 32; l++) y[out++] = d1 * (u8(x, q + l) & 0xF) - m1;
            for (int l = 0; l < 32; l++) y[out++] = d2 * (u8(x, q + l) >> 4) - m2;
        }
    }

    // block_q5_K { ggml_half d, dmin; uint8_t scales[12]; uint8_t qh[32]; uint8_t qs[128]; }
    private static void q5_k(MemorySegment x, long at, float[] y, int yAt) {
        float d = f16(x, at);
        float min = f16(x, at + 2);
        long scales = at + 4;
        long qh = at + 16;
        long ql = at + 48;
        int u1 = 1, u2 = 2;
        int out = yAt;
        for (int is = 0; is < 8; is += 2, ql += 32, u1 <<= 2, u2 <<= 2) {
            int sm0 = scaleMinK4(is, x, scales);
            int sm1 = scaleMinK4(is + 1, x, scales);
            float d1 = d * (sm0 >> 8), m1 = min * (sm0 & 0xFF);
            float d2 = d * (sm1 >> 8), m2 = min * (sm1 & 0xFF);
            for (int l = 0; l < 32; l++) {
                y[out++] = d1 * ((u8(x, ql + l) & 0xF) + ((u8(x, qh + l) & u1) != 0 ? 16 : 0)) - m1;
            }
            for (int l = 0; l < 32; l++) {
                y[out++] = d2 * ((u8(x, ql + l) >> 4) + ((u8(x, qh + l) & u2) != 0 ? 16 : 0)) - m2;
            }
        }
    }

    // block_q6_K { uint8_t ql[128]; uint8_t qh[64]; int8_t scales[16]; ggml_half d; }
    private static void q6_k(MemorySegment x, long at, float[] y, int yAt) {
        float d = f16(x, at + 208);
        long ql = at;
        long qh = at + 128;
        long sc = at + 192;
        for (int n = 0; n < QK_K; n += 128, ql += 64, qh += 32, sc += 8) {
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int h = u8(x, qh + l);
                int q1 = ((u8(x, ql + l) & 0xF) | ((h & 3) << 4)) - 32;
                int q2 = ((u8(x, ql + l + 32) & 0xF) | (((h >> 2) & 3) << 4)) - 32;
                int q3 = ((u8(x, ql + l) >> 4) | (((h >> 4) & 3) << 4)) - 32;
                int q4 = ((u8(x, ql + l + 32) >> 4) | (((h >> 6) & 3) << 4)) - 32;
                int base = yAt + n + l;
                y[base] = d * s8(x, sc + is) * q1;
                y[base + 32] = d * s8(x, sc + is + 2) * q2;
                y[base + 64] = d * s8(x, sc + is + 4) * q3;
                y[base + 96] = d * s8(x, sc + is + 6) * q4;
            }
        }
    }

    /**
     * ggml's {@code get_scale_min_k4}: the j-th 6-bit scale and min packed into 12 bytes. Returns
     * {@code scale << 8 | min}.
     */
    static int scaleMinK4(int j, MemorySegment x, long q) {
        int d, m;
        if (j < 4) {
            d = u8(x, q + j) & 63;
            m = u8(x, q + j + 4) & 63;
        } else {
            d = (u8(x, q + j + 4) & 0xF) | ((u8(x, q + j - 4) >> 6) << 4);
            m = (u8(x, q + j + 4) >> 4) | ((u8(x, q + j) >> 6) << 4);
        }
        return d << 8 | m;
    }

    private static float f16(MemorySegment x, long at) {
        return Float.float16ToFloat(x.get(I16, at));
    }

    private static int u8(MemorySegment x, long at) {
        return x.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }

    private static int s8(MemorySegment x, long at) {
        return x.get(ValueLayout.JAVA_BYTE, at);
    }
}
