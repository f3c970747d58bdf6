package dev.pagoda.catalog.quant;

/**
 * ggml's scalar reference code (ggml-quants.c, ggml-common.h) transcribed line by line onto plain
 * byte arrays, deliberately naive: an independent decoder/encoder that the production code in
 * {@link Dequantize} and {@link Quantize} is compared against. Shares no code with them.
 */
final class GgmlReference {
    static final int QK_K = 256;

    private GgmlReference() {}

    /** IEEE half to float by the textbook formula (not Float.float16ToFloat). */
    static float fp16ToFp32(int lo, int hi) {
        int h = (lo & 0xFF) | (hi & 0xFF) << 8;
        int sign = (h >> 15) & 1, exp = (h >> 10) & 31, mant = h & 1023;
        float v;
        if (exp == 0) v = mant * (float) Math.pow(2, -24);
        else if (exp == 31) v = mant == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        else v = (1 + mant / 1024f) * (float) Math.pow(2, exp - 15);
        return sign == 1 ? -v : v;
    }

    static int u(byte b) {
        return b & 0xFF;
    }

    // dequantize_row_q8_0
    static void dequantizeRowQ8_0(byte[] x, float[] y, int k) {
        final int qk = 32;
        final int nb = k / qk;
        for (int i = 0; i < nb; i++) {
            int blk = i * 34;
            final float d = fp16ToFp32(x[blk], x[blk + 1]);
            for (int j = 0; j < qk; ++j) {
                y[i * qk + j] = x[blk + 2 + j] * d;
            }
        }
    }

    // dequantize_row_q4_0
    static void dequantizeRowQ4_0(byte[] x, float[] y, int k) {
        final int qk = 32;
        final int nb = k / qk;
        for (int i = 0; i < nb; i++) {
            int blk = i * 18;
            final float d = fp16ToFp32(x[blk], x[blk + 1]);
            for (int j = 0; j < qk / 2; ++j) {
                final int x0 = (u(x[blk + 2 + j]) & 0x0F) - 8;
                final int x1 = (u(x[blk + 2 + j]) >> 4) - 8;
                y[i * qk + j + 0] = x0 * d;
                y[i * qk + j + qk / 2] = x1 * d;
            }
        }
    }

    // get_scale_min_k4; returns {d, m}
    static int[] getScaleMinK4(int j, byte[] q, int qOff) {
        int d, m;
        if (j < 4) {
            d = u(q[qOff + j]) & 63;
            m = u(q[qOff + j + 4]) & 63;
        } else {
            d = (u(q[qOff + j + 4]) & 0xF) | ((u(q[qOff + j - 4]) >> 6) << 4);
            m = (u(q[qOff + j + 4]) >> 4) | ((u(q[qOff + j - 0]) >> 6) << 4);
        }
        return new int[] {d, m};
    }

    // dequantize_row_q4_K
    static void dequantizeRowQ4_K(byte[] x, float[] y, int k) {
        final int nb = k / QK_K;
        int yi = 0;
        for (int i = 0; i < nb; i++) {
            int blk = i * 144;
            int q = blk + 16;
            final float d = fp16ToFp32(x[blk], x[blk + 1]);
            final float min = fp16ToFp32(x[blk + 2], x[blk + 3]);
            int is = 0;
            for (int j = 0; j < QK_K; j += 64) {
                int[] sm = getScaleMinK4(is + 0, x, blk + 4);
                final float d1 = d * sm[0];
                final float m1 = min * sm[1];
                sm = getScaleMinK4(is + 1, x, blk + 4);
                final float d2 = d * sm[0];
                final float m2 = min * sm[1];
                for (int l = 0; l < 32; ++l) y[yi++] = d1 * (u(x[q + l]) & 0xF) - m1;
                for (int l = 0; l < 32; ++l) y[yi++] = d2 * (u(x[q + l]) >> 4) - m2;
                q += 32;
                is += 2;
            }
        }
    }

    // dequantize_row_q5_K
    static void dequantizeRowQ5_K(byte[] x, float[] y, int k) {
        final int nb = k / QK_K;
        int yi = 0;
        for (int i = 0; i < nb; i++) {
            int blk = i * 176;
            int qh = blk + 16;
            int ql = blk + 48;
            final float d = fp16ToFp32(x[blk], x[blk + 1]);
            final float min = fp16ToFp32(x[blk + 2], x[blk + 3]);
            int is = 0;
            int u1 = 1, u2 = 2;
            for (int j = 0; j < QK_K; j += 64) {
                int[] sm = getScaleMinK4(is + 0, x, blk + 4);
                final float d1 = d * sm[0];
                final float m1 = min * sm[1];
                sm = getScaleMinK4(is + 1, x, blk + 4);
                final float d2 = d * sm[0];
                final float m2 = min * sm[1];
                for (int l = 0; l < 32; ++l) y[yi++] = d1 * ((u(x[ql + l]) & 0xF) + ((u(x[qh + l]) & u1) != 0 ? 16 : 0)) - m1;
                for (int l = 0; l < 32; ++l) y[yi++] = d2 * ((u(x[ql + l]) >> 4) + ((u(x[qh + l]) & u2) != 0 ? 16 : 0)) - m2;
                ql += 32;
                is += 2;
                u1 <<= 2;
                u2 <<= 2;
            }
        }
    }

    // dequantize_row_q6_K
    static void dequantizeRowQ6_K(byte[] x, float[] y, int k) {
        final int nb = k / QK_K;
        int yi = 0;
        for (int i = 0; i < nb; i++) {
            int blk = i * 210;
            final float d = fp16ToFp32(x[blk + 208], x[blk + 209]);
            int ql = blk;
            int qh = blk + 128;
            int sc = blk + 192;
            for (int n = 0; n < QK_K; n += 128) {
                for (int l = 0; l < 32; ++l) {
                    int is = l / 16;
                    final int q1 = (byte) ((u(x[ql + l + 0]) & 0xF) | (((u(x[qh + l]) >> 0) & 3) << 4)) - 32;
                    final int q2 = (byte) ((u(x[ql + l + 32]) & 0xF) | (((u(x[qh + l]) >> 2) & 3) << 4)) - 32;
                    final int q3 = (byte) ((u(x[ql + l + 0]) >> 4) | (((u(x[qh + l]) >> 4) & 3) << 4)) - 32;
                    final int q4 = (byte) ((u(x[ql + l + 32]) >> 4) | (((u(x[qh + l]) >> 6) & 3) << 4)) - 32;
                    y[yi + l + 0] = d * x[sc + is + 0] * q1;
                    y[yi + l + 32] = d * x[sc + is + 2] * q2;
                    y[yi + l + 64] = d * x[sc + is + 4] * q3;
                    y[yi + l + 96] = d * x[sc + is + 6] * q4;
                }
                yi += 128;
                ql += 64;
                qh += 32;
                sc += 8;
            }
        }
    }

    /** bf16: the top 16 bits of an IEEE float. */
    static void dequantizeRowBf16(byte[] x, float[] y, int k) {
        for (int i = 0; i < k; i++) {
            y[i] = Float.intBitsToFloat((u(x[2 * i]) | u(x[2 * i + 1]) << 8) << 16);
        }
    }

    /** F8_E4M3 (OCP "fn" variant, as torch.float8_e4m3fn): table of all 256 values built by formula. */
    static void dequantizeRowE4m3(byte[] x, float[] y, int k) {
        for (int i = 0; i < k; i++) {
            int b = u(x[i]);
            double sign = (b >> 7) == 1 ? -1 : 1;
            int e = (b >> 3) & 15, m = b & 7;
            double v;
            if (e == 15 && m == 7) v = Double.NaN;
            else if (e == 0) v = Math.pow(2, -6) * (m / 8.0);
            else v = Math.pow(2, e - 7) * (1 + m / 8.0);
            y[i] = (float) (sign * v);
        }
    }

    /** GGML_FP32_TO_FP16 fallback (ggml_compute_fp32_to_fp16, round to nearest even), bit tricks as in ggml-impl.h. */
    static int fp32ToFp16(float f) {
        final float scaleToInf = Float.intBitsToFloat(0x77800000);
        final float scaleToZero = Float.intBitsToFloat(0x08800000);
        float base = (Math.abs(f) * scaleToInf) * scaleToZero;
        final int w = Float.floatToRawIntBits(f);
        final int shl1W = w + w;
        final int sign = w & 0x80000000;
        int bias = shl1W & 0xFF000000;
        if (Integer.compareUnsigned(bias, 0x71000000) < 0) bias = 0x71000000;
        base = Float.intBitsToFloat((bias >>> 1) + 0x07800000) + base;
        final int bits = Float.floatToRawIntBits(base);
        final int expBits = (bits >>> 13) & 0x00007C00;
        final int mantissaBits = bits & 0x00000FFF;
        final int nonsign = expBits + mantissaBits;
        return ((sign >>> 16) | (Integer.compareUnsigned(shl1W, 0xFF000000) > 0 ? 0x7E00 : nonsign)) & 0xFFFF;
    }

    static float roundf(float x) {
        // C roundf: nearest integer, halfway cases away from zero
        float t = (float) Math.floor(Math.abs(x));
        if (Math.abs(x) - t >= 0.5f) t += 1;
        return x < 0 ? -t : t;
    }

    // quantize_row_q8_0_ref
    static byte[] quantizeRowQ8_0(float[] x, int k) {
        final int qk = 32;
        final int nb = k / qk;
        byte[] y = new byte[nb * 34];
        for (int i = 0; i < nb; i++) {
            float amax = 0.0f;
            for (int j = 0; j < qk; j++) {
                final float v = x[i * qk + j];
                amax = Math.max(amax, Math.abs(v));
            }
            final float d = amax / ((1 << 7) - 1);
            final float id = d != 0 ? 1.0f / d : 0.0f;
            int h = fp32ToFp16(d);
            y[i * 34] = (byte) h;
            y[i * 34 + 1] = (byte) (h >> 8);
            for (int j = 0; j < qk; ++j) {
                final float x0 = x[i * qk + j] * id;
                y[i * 34 + 2 + j] = (byte) (int) roundf(x0);
            }
        }
        return y;
    }

    // quantize_row_q4_0_ref
    static byte[] quantizeRowQ4_0(float[] x, int k) {
        final int qk = 32;
        final int nb = k / qk;
        byte[] y = new byte[nb * 18];
        for (int i = 0; i < nb; i++) {
            float amax = 0.0f;
            float max = 0.0f;
            for (int j = 0; j < qk; j++) {
                final float v = x[i * qk + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            final float d = max / -8;
            final float id = d != 0 ? 1.0f / d : 0.0f;
            int h = fp32ToFp16(d);
            y[i * 18] = (byte) h;
            y[i * 18 + 1] = (byte) (h >> 8);
            for (int j = 0; j < qk / 2; ++j) {
                final float x0 = x[i * qk + 0 + j] * id;
                final float x1 = x[i * qk + qk / 2 + j] * id;
                final int xi0 = Math.min(15, (byte) (int) (x0 + 8.5f));
                final int xi1 = Math.min(15, (byte) (int) (x1 + 8.5f));
                y[i * 18 + 2 + j] = (byte) (xi0 | (xi1 << 4));
            }
        }
        return y;
    }
}
