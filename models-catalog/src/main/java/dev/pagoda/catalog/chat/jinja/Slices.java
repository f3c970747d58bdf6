package dev.pagoda.catalog.chat.jinja;

import java.util.ArrayList;
import java.util.List;

/** Python slice semantics ({@code xs[start:stop:step]}), negative indices and steps included. */
final class Slices {

    private Slices() {}

    /** @param start first index or null; @param stop end (exclusive) or null; @param step non-zero */
    static <T> List<T> slice(List<T> xs, Long start, Long stop, long step) {
        long n = xs.size();
        long a, b;
        if (step > 0) {
            a = start == null ? 0 : clamp(start < 0 ? start + n : start, 0, n);
            b = stop == null ? n : clamp(stop < 0 ? stop + n : stop, 0, n);
        } else {
            a = start == null ? n - 1 : clamp(start < 0 ? start + n : start, -1, n - 1);
            b = stop == null ? -1 : clamp(stop < 0 ? stop + n : stop, -1, n - 1);
        }
        var out = new ArrayList<T>();
        for (long i = a; step > 0 ? i < b : i > b; i += step) out.add(xs.get((int) i));
        return out;
    }

    private static long clamp(long v, long lo, long hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
