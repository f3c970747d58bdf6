package dev.pagoda.engine.structured.grammar;

import java.util.Arrays;

/** A set of byte values 0..255 (256 bits). Immutable. */
public final class ByteSet {

    private final long[] bits; // (4) bit b of word b / 64

    private ByteSet(long[] bits) {
        this.bits = bits;
    }

    public static ByteSet range(int lo, int hi) {
        if (lo < 0 || hi > 255 || lo > hi) throw new IllegalArgumentException("byte range " + lo + ".." + hi);
        long[] b = new long[4];
        for (int i = lo; i <= hi; i++) b[i >> 6] |= 1L << i;
        return new ByteSet(b);
    }

    public static ByteSet of(int... bytes) {
        long[] b = new long[4];
        for (int i : bytes) b[(i & 0xFF) >> 6] |= 1L << i;
        return new ByteSet(b);
    }

    public boolean contains(int b) {
        return (bits[(b & 0xFF) >> 6] & (1L << b)) != 0;
    }

    public boolean isEmpty() {
        return (bits[0] | bits[1] | bits[2] | bits[3]) == 0;
    }

    public ByteSet union(ByteSet o) {
        long[] b = new long[4];
        for (int i = 0; i < 4; i++) b[i] = bits[i] | o.bits[i];
        return new ByteSet(b);
    }

    /** Consecutive runs as {@code [lo0, hi0, lo1, hi1, ...]}. */
    public int[] ranges() {
        int[] out = new int[512];
        int n = 0;
        for (int i = 0; i < 256; i++) {
            if (!contains(i)) continue;
            int j = i;
            while (j + 1 < 256 && contains(j + 1)) j++;
            out[n++] = i;
            out[n++] = j;
            i = j;
        }
        return Arrays.copyOf(out, n);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteSet b && Arrays.equals(bits, b.bits);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bits);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("[");
        int[] r = ranges();
        for (int i = 0; i < r.length; i += 2) {
            s.append(String.format("%02x", r[i]));
            if (r[i + 1] != r[i]) s.append('-').append(String.format("%02x", r[i + 1]));
            if (i + 2 < r.length) s.append(' ');
        }
        return s.append(']').toString();
    }
}
