package dev.pagoda.catalog.tokenizer;

import java.nio.charset.StandardCharsets;

/** UTF-8 decoding with exactly Rust's {@code String::from_utf8_lossy} rules, which HF decoders use. */
final class Utf8 {

    private Utf8() {}

    /**
     * Decodes {@code bytes[0, length)}, replacing each maximal invalid subpart (Unicode's recommended
     * practice, as Rust and WHATWG do) with one U+FFFD.
     */
    static String decodeLossy(byte[] bytes, int length) {
        StringBuilder out = new StringBuilder(length);
        int i = 0;
        while (i < length) {
            int n = validSequenceLength(bytes, i, length);
            if (n > 0) {
                out.append(new String(bytes, i, n, StandardCharsets.UTF_8));
                i += n;
            } else {
                out.append('\uFFFD');
                i += -n;
            }
        }
        return out.toString();
    }

    /** Whether {@code bytes[0, length)} is entirely valid UTF-8. */
    static boolean isValid(byte[] bytes, int length) {
        for (int i = 0; i < length; ) {
            int n = validSequenceLength(bytes, i, length);
            if (n <= 0) return false;
            i += n;
        }
        return true;
    }

    /**
     * Length of the valid character starting at {@code i}, or minus the length of the maximal invalid
     * subpart to replace there (at least 1).
     */
    private static int validSequenceLength(byte[] b, int i, int end) {
        int lead = b[i] & 0xFF;
        if (lead < 0x80) return 1;
        int width;
        int lo = 0x80;
        int hi = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            width = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            width = 3;
            if (lead == 0xE0) lo = 0xA0;
            if (lead == 0xED) hi = 0x9F; // surrogates are not characters
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            width = 4;
            if (lead == 0xF0) lo = 0x90;
            if (lead == 0xF4) hi = 0x8F; // above U+10FFFF
        } else {
            return -1;
        }
        int j = i + 1;
        if (j >= end) return -1;
        int second = b[j] & 0xFF;
        if (second < lo || second > hi) return -1;
        for (j = i + 2; j < i + width; j++) {
            if (j >= end || (b[j] & 0xC0) != 0x80) return -(j - i);
        }
        return width;
    }
}
