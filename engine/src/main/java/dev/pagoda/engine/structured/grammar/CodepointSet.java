package dev.pagoda.engine.structured.grammar;

import java.util.Arrays;

/**
 * A set of Unicode scalar values (U+0000..U+10FFFF without the surrogates, which UTF-8 cannot
 * encode) as sorted, disjoint, non-adjacent inclusive ranges. Immutable. What a character class
 * of a regex, a GBNF {@code [...]} or a JSON string character is before it becomes UTF-8 bytes.
 */
public final class CodepointSet {

    public static final int MAX = 0x10FFFF;
    private static final int SURROGATE_LO = 0xD800;
    private static final int SURROGATE_HI = 0xDFFF;

    public static final CodepointSet EMPTY = new CodepointSet(new int[0]);
    public static final CodepointSet ALL = range(0, MAX);

    private final int[] ranges; // [lo0, hi0, lo1, hi1, ...] sorted, disjoint, not adjacent, no surrogates

    private CodepointSet(int[] ranges) {
        this.ranges = ranges;
    }

    /** {@code lo..hi} inclusive, surrogates removed. */
    public static CodepointSet range(int lo, int hi) {
        if (lo < 0 || hi > MAX || lo > hi) throw new IllegalArgumentException("code point range " + lo + ".." + hi);
        return normalise(new int[] {lo, hi});
    }

    public static CodepointSet of(int codepoint) {
        return range(codepoint, codepoint);
    }

    /** The code points of {@code chars} (a string of members). */
    public static CodepointSet ofChars(String chars) {
        CodepointSet s = EMPTY;
        for (int i = 0; i < chars.length(); ) {
            int cp = chars.codePointAt(i);
            s = s.union(of(cp));
            i += Character.charCount(cp);
        }
        return s;
    }

    /** Sorts and merges arbitrary ranges {@code [lo, hi, lo, hi, ...]} and drops the surrogates. */
    private static CodepointSet normalise(int[] raw) {
        int n = raw.length / 2;
        long[] packed = new long[n];
        for (int i = 0; i < n; i++) packed[i] = ((long) raw[2 * i] << 32) | raw[2 * i + 1];
        Arrays.sort(packed);
        int[] out = new int[2 * n + 2];
        int k = 0;
        for (long p : packed) {
            int lo = (int) (p >>> 32), hi = (int) p;
            if (k > 0 && lo <= out[k - 1] + 1) {
                out[k - 1] = Math.max(out[k - 1], hi);
            } else {
                out[k++] = lo;
                out[k++] = hi;
            }
        }
        // cut the surrogate block out
        int[] cut = new int[k + 2];
        int m = 0;
        for (int i = 0; i < k; i += 2) {
            int lo = out[i], hi = out[i + 1];
            if (hi < SURROGATE_LO || lo > SURROGATE_HI) {
                cut[m++] = lo;
                cut[m++] = hi;
                continue;
            }
            if (lo < SURROGATE_LO) {
                cut[m++] = lo;
                cut[m++] = SURROGATE_LO - 1;
            }
            if (hi > SURROGATE_HI) {
                cut[m++] = SURROGATE_HI + 1;
                cut[m++] = hi;
            }
        }
        return new CodepointSet(Arrays.copyOf(cut, m));
    }

    public CodepointSet union(CodepointSet o) {
        int[] both = Arrays.copyOf(ranges, ranges.length + o.ranges.length);
        System.arraycopy(o.ranges, 0, both, ranges.length, o.ranges.length);
        return normalise(both);
    }

    /** Every scalar value not in this set. */
    public CodepointSet complement() {
        int[] out = new int[ranges.length + 2];
        int k = 0;
        int next = 0;
        for (int i = 0; i < ranges.length; i += 2) {
            if (ranges[i] > next) {
                out[k++] = next;
                out[k++] = ranges[i] - 1;
            }
            next = ranges[i + 1] + 1;
        }
        if (next <= MAX) {
            out[k++] = next;
            out[k++] = MAX;
        }
        return normalise(Arrays.copyOf(out, k));
    }

    public CodepointSet intersect(CodepointSet o) {
        return complement().union(o.complement()).complement();
    }

    public CodepointSet minus(CodepointSet o) {
        return intersect(o.complement());
    }

    public boolean contains(int cp) {
        for (int i = 0; i < ranges.length; i += 2) {
            if (cp < ranges[i]) return false;
            if (cp <= ranges[i + 1]) return true;
        }
        return false;
    }

    public boolean isEmpty() {
        return ranges.length == 0;
    }

    /** A copy of the ranges {@code [lo0, hi0, ...]}. */
    public int[] ranges() {
        return ranges.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CodepointSet c && Arrays.equals(ranges, c.ranges);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ranges);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < ranges.length; i += 2) {
            if (i > 0) s.append(' ');
            s.append(String.format("U+%04X", ranges[i]));
            if (ranges[i + 1] != ranges[i]) s.append(String.format("-U+%04X", ranges[i + 1]));
        }
        return s.append(']').toString();
    }
}
