package dev.pagoda.engine.cuda.kernels;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Comparison of a bf16 kernel output with an f32 CPU reference computed from the same
 * bf16-rounded inputs: what may differ is accumulation order, the final bf16 rounding (relative
 * 2^-8 at most) and whatever intermediate rounding the kernel documents.
 */
final class Tolerance {

    private Tolerance() {}

    /** Fails with the first offending index, both values and the context label. */
    static void assertClose(float[] expected, float[] actual, double atol, double rtol, String label) {
        if (expected.length != actual.length) fail(label + ": length " + actual.length + " != " + expected.length);
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs((double) expected[i] - actual[i]);
            double allowed = atol + rtol * Math.abs(expected[i]);
            if (!(err <= allowed)) {
                fail(label + ": element " + i + " expected " + expected[i] + " got " + actual[i] + " (|err| " + err
                        + " > " + allowed + ")");
            }
        }
    }

    static float[] roundedBf16(float[] v) {
        float[] r = new float[v.length];
        for (int i = 0; i < v.length; i++) r[i] = dev.pagoda.engine.cuda.Bf16.round(v[i]);
        return r;
    }

    /** n values uniform in [-scale, scale), rounded to bf16 so both backends see the same inputs. */
    static float[] random(java.util.Random r, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = dev.pagoda.engine.cuda.Bf16.round((r.nextFloat() * 2 - 1) * scale);
        return v;
    }
}
