package dev.pagoda.engine.testing;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/** Test helpers moving f32 data between Java arrays and native segments. */
public final class F32 {

    private F32() {}

    public static MemorySegment segment(Arena arena, float[] values) {
        MemorySegment s = arena.allocate((long) values.length * Float.BYTES, 64);
        MemorySegment.copy(values, 0, s, ValueLayout.JAVA_FLOAT, 0, values.length);
        return s;
    }

    public static MemorySegment zeros(Arena arena, long floats) {
        return arena.allocate(floats * Float.BYTES, 64);
    }

    public static float[] read(MemorySegment s, long floats) {
        float[] out = new float[Math.toIntExact(floats)];
        MemorySegment.copy(s, ValueLayout.JAVA_FLOAT, 0, out, 0, out.length);
        return out;
    }

    public static float[] random(Random random, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
        return v;
    }

    /** Largest |a[i] - b[i]|. */
    public static double maxAbsDiff(float[] a, double[] b) {
        if (a.length != b.length) throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs(a[i] - b[i]);
            if (Double.isNaN(d)) return Double.POSITIVE_INFINITY;
            max = Math.max(max, d);
        }
        return max;
    }
}
