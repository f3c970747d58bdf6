package dev.pagoda.engine.load;

import dev.pagoda.catalog.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Writes floats into tensors held as F32, F16 or BF16, rounding as torch's casts do. */
final class FloatStore {

    private FloatStore() {}

    /** Element {@code i} of {@code data}, a tensor of {@code dtype} (F32, F16 or BF16). */
    static void write(DType dtype, MemorySegment data, long i, float v) {
        switch (dtype) {
            case F32 -> data.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, v);
            case F16 -> data.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16(v));
            case BF16 -> data.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, toBf16(v));
            default -> throw new IllegalArgumentException("floats are stored as F32, F16 or BF16, not " + dtype);
        }
    }

    static boolean isFloat(DType dtype) {
        return dtype == DType.F32 || dtype == DType.F16 || dtype == DType.BF16;
    }

    /** Round to nearest even, as torch's float -> bfloat16 cast does. */
    private static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }
}
