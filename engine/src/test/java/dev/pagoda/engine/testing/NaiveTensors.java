package dev.pagoda.engine.testing;

import dev.pagoda.catalog.tensor.TensorData;
import java.lang.foreign.ValueLayout;

/**
 * Decodes whole F32/F16/BF16 tensors to doubles for reference computations, independently of
 * the engine's row decoder.
 */
public final class NaiveTensors {

    private NaiveTensors() {}

    public static double[] decode(TensorData t) {
        int n = Math.toIntExact(t.elementCount());
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (t.dtype()) {
                case F32 -> t.data().getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
                case F16 -> Float.float16ToFloat(t.data().getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i));
                case BF16 -> Float.intBitsToFloat(
                        Short.toUnsignedInt(t.data().getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i)) << 16);
                default -> throw new IllegalArgumentException("reference decoding has no " + t.dtype());
            };
        }
        return out;
    }
}
