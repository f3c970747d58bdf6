package dev.pagoda.engine.cpu;

import dev.pagoda.catalog.tensor.DType;

/**
 * Straight transcriptions of ggml's {@code dequantize_row_*} (ggml-quants.c), byte by byte, as
 * the independent reference for the kernels: no vectors, no shared code with the main sources.
 */
final class GgmlReferenceDequant {

    private GgmlReferenceDequant() {}

    /** One stored row of {@code type} (its raw bytes) as floats. */
    static float[] row(DType type, byte[] b, int elements) {
        float[] y = new float[elements];
        switch (type) {
            case F32 -> {
                for (int i = 0; i < elements; i++) y[i] = Float.intBitsToFloat(i32(b, 4 * i));
            }
            case F16 -> {
                for (int i = 0; i < elements; i++) y[i] = Float.float16ToFloat((short) u16(b, 2 * i));
            }
            case BF16 -> {
                for (int i = 0; i < elements; i++) y[i] = Float.intBitsToFloat(u16(b, 2 * i) << 16);
            }
            case Q8_0 -> q8_0(b, y);
            case Q4_0 -> q4_0(b, y);
            case Q4_K -> q4_K(b, y);
            case Q5_K -> q5_K(b, y);
            case Q6_K -> q6_K(b, y);
            default -> throw new IllegalArgumentException(type.toString());
        }
        return y;
    }

    private static void q8_0(byte[] b, float[] y) {
        for (int i = 0; i < y.length / 32; i++) {
            int x = 34 * i;
            float d = f16(b, x);
            for (int j = 0; j < 32; j++) y[32 * i + j] = b[x + 2 + j] * d;
        }
    }

    private static void q4_0(byte[] b, float[] y) {
        for (int i = 0; i < y.length / 32; i++) {
            int x = 18 * i;
            float d = f16(b, x);
            for (int j = 0; j < 16; j++) {
                int x0 = (b[x + 2 + j] & 0x0F) - 8;
                int x1 = ((b[x + 2 + j] & 0xFF) >> 4) - 8;
                y[32 * i + j] = x0 * d;
                y[32 * i + j + 16] = x1 * d;
            }
        }
    }

    /** ggml get_scale_min_k4: returns {scale, min}. */
    private static int[] scaleMinK4(int j, byte[] b, int q) {
        if (j < 4) return new int[] {(b[q + j] & 0xFF) & 63, (b[q + j + 4] & 0xFF) & 63};
        int d = ((b[q + j + 4] & 0xFF) & 0xF) | (((b[q + j - 4] & 0xFF) >> 6) << 4);
        int m = ((b[q + j + 4] & 0xFF) >> 4) | (((b[q + j] & 0xFF) >> 6) << 4);
        return new int[] {d, m};
    }

    private static void q4_K(byte[] b, float[] y) {
        int out = 0;
        for (int i = 0; i < y.length / 256; i++) {
            int x = 144 * i;
            float d = f16(b, x), min = f16(b, x + 2);
            int q = x + 16;
            int is = 0;
            for (int j = 0; j < 256; j += 64) {
                int[] sm = scaleMinK4(is, b, x + 4);
                float d1 = d * sm[0], m1 = min * sm[1];
                sm = scaleMinK4(is + 1, b, x + 4);
                float d2 = d * sm[0], m2 = min * sm[1];
                for (int l = 0; l < 32; l++) y[out++] = d1 * (b[q + l] & 0xF) - m1;
                for (int l = 0; l < 32; l++) y[out++] = d2 * ((b[q + l] & 0xFF) >> 4) - m2;
                q += 32;
                is += 2;
            }
        }
    }

    private static void q5_K(byte[] b, float[] y) {
        int out = 0;
        for (int i = 0; i < y.length / 256; i++) {
            int x = 176 * i;
            float d = f16(b, x), min = f16(b, x + 2);
            int qh = x + 16, ql = x + 48;
            int is = 0, u1 = 1, u2 = 2;
            for (int j = 0; j < 256; j += 64) {
                int[] sm = scaleMinK4(is, b, x + 4);
                float d1 = d * sm[0], m1 = min * sm[1];
                sm = scaleMinK4(is + 1, b, x + 4);
                float d2 = d * sm[0], m2 = min * sm[1];
                for (int l = 0; l < 32; l++) {
                    y[out++] = d1 * ((b[ql + l] & 0xF) + ((b[qh + l] & u1) != 0 ? 16 : 0)) - m1;
                }
                for (int l = 0; l < 32; l++) {
                    y[out++] = d2 * (((b[ql + l] & 0xFF) >> 4) + ((b[qh + l] & u2) != 0 ? 16 : 0)) - m2;
                }
                ql += 32;
                is += 2;
                u1 <<= 2;
                u2 <<= 2;
            }
        }
    }

    private static void q6_K(byte[] b, float[] y) {
        for (int i = 0; i < y.length / 256; i++) {
            int x = 210 * i;
            float d = f16(b, x + 208);
            int ql = x, qh = x + 128, sc = x + 192;
            int base = 256 * i;
            for (int n = 0; n < 256; n += 128) {
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int h = b[qh + l] & 0xFF;
                    int q1 = ((b[ql + l] & 0xF) | (((h >> 0) & 3) << 4)) - 32;
                    int q2 = ((b[ql + l + 32] & 0xF) | (((h >> 2) & 3) << 4)) - 32;
                    int q3 = (((b[ql + l] & 0xFF) >> 4) | (((h >> 4) & 3) << 4)) - 32;
                    int q4 = (((b[ql + l + 32] & 0xFF) >> 4) | (((h >> 6) & 3) << 4)) - 32;
                    y[base + n + l] = d * b[sc + is] * q1;
                    y[base + n + l + 32] = d * b[sc + is + 2] * q2;
                    y[base + n + l + 64] = d * b[sc + is + 4] * q3;
                    y[base + n + l + 96] = d * b[sc + is + 6] * q4;
                }
                ql += 64;
                qh += 32;
                sc += 8;
            }
        }
    }

    private static float f16(byte[] b, int at) {
        return Float.float16ToFloat((short) u16(b, at));
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
    }

    private static int i32(byte[] b, int at) {
        return u16(b, at) | u16(b, at + 2) << 16;
    }
}
