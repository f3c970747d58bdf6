package dev.pagoda.engine.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** bfloat16: the upper 16 bits of an IEEE float, rounded to nearest even (what PyTorch's {@code .to(torch.bfloat16)} does). */
public final class Bf16 {

    private Bf16() {}

    /** The bf16 bit pattern nearest to {@code f}; NaN stays a (quiet) NaN. */
    public static short bits(float f) {
        int b = Float.floatToRawIntBits(f);
        if ((b & 0x7FFF_FFFF) > 0x7F80_0000) return (short) ((b >>> 16) | 0x0040);
        int roundingBias = 0x7FFF + ((b >>> 16) & 1);
        return (short) ((b + roundingBias) >>> 16);
    }

    public static float toFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** {@code f} rounded to the nearest bf16 value. */
    public static float round(float f) {
        return toFloat(bits(f));
    }

    /** {@code values} as bf16, in a new segment of {@code arena}. */
    public static MemorySegment encode(Arena arena, float[] values) {
        MemorySegment out = arena.allocate(2L * values.length, 2);
        for (int i = 0; i < values.length; i++) out.setAtIndex(ValueLayout.JAVA_SHORT, i, bits(values[i]));
        return out;
    }

    /** {@code count} bf16 values of {@code src} as floats. */
    public static float[] decode(MemorySegment src, int count) {
        float[] out = new float[count];
        for (int i = 0; i < count; i++) out[i] = toFloat(src.getAtIndex(ValueLayout.JAVA_SHORT, i));
        return out;
    }
}
