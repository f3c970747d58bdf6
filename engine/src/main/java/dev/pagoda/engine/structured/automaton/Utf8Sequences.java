package dev.pagoda.engine.structured.automaton;

import dev.pagoda.engine.structured.grammar.CodepointSet;
import java.util.ArrayList;
import java.util.List;

/**
 * A set of code points as the byte-range sequences of their UTF-8 encodings (the construction of
 * Rust's {@code regex-syntax::utf8}): each sequence is one to four byte ranges, and a code point
 * is in the set exactly when its encoding matches one sequence. Ranges are split where the
 * encoded length changes and where a continuation byte would not cover its full 0x80..0xBF span.
 */
final class Utf8Sequences {

    private static final int[] MAX_OF_LENGTH = {0x7F, 0x7FF, 0xFFFF, 0x10FFFF};

    private Utf8Sequences() {}

    /** Each element is {@code [lo1, hi1, lo2, hi2, ...]}: byte ranges in order. */
    static List<int[]> of(CodepointSet set) {
        List<int[]> out = new ArrayList<>();
        int[] r = set.ranges();
        for (int i = 0; i < r.length; i += 2) split(r[i], r[i + 1], out);
        return out;
    }

    private static void split(int lo, int hi, List<int[]> out) {
        // one encoded length per piece
        for (int max : MAX_OF_LENGTH) {
            if (lo <= max && hi > max) {
                split(lo, max, out);
                split(max + 1, hi, out);
                return;
            }
        }
        int n = length(lo);
        for (int i = 1; i < n; i++) {
            int m = (1 << (6 * i)) - 1; // bits carried by the last i bytes
            if ((lo & ~m) != (hi & ~m)) {
                if ((lo & m) != 0) {
                    split(lo, lo | m, out);
                    split((lo | m) + 1, hi, out);
                    return;
                }
                if ((hi & m) != m) {
                    split(lo, (hi & ~m) - 1, out);
                    split(hi & ~m, hi, out);
                    return;
                }
            }
        }
        int[] a = encode(lo), b = encode(hi);
        int[] seq = new int[2 * n];
        for (int i = 0; i < n; i++) {
            seq[2 * i] = a[i];
            seq[2 * i + 1] = b[i];
        }
        out.add(seq);
    }

    private static int length(int cp) {
        return cp <= 0x7F ? 1 : cp <= 0x7FF ? 2 : cp <= 0xFFFF ? 3 : 4;
    }

    static int[] encode(int cp) {
        return switch (length(cp)) {
            case 1 -> new int[] {cp};
            case 2 -> new int[] {0xC0 | (cp >> 6), 0x80 | (cp & 0x3F)};
            case 3 -> new int[] {0xE0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3F), 0x80 | (cp & 0x3F)};
            default -> new int[] {0xF0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3F), 0x80 | ((cp >> 6) & 0x3F), 0x80 | (cp & 0x3F)};
        };
    }
}
