package dev.pagoda.engine.testing;

import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.engine.cpu.Linear;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A plain-loop {@link Linear} over F32/F16/BF16 weights, accumulating in double: stands in for
 * the Vector-API kernels in model tests.
 */
public final class ReferenceLinear implements Linear {

    private final double[] weight; // (out, in)
    private final int in;
    private final int out;

    public ReferenceLinear(TensorData w) {
        this.weight = NaiveTensors.decode(w);
        this.out = Math.toIntExact(w.dim(0));
        this.in = Math.toIntExact(w.dim(1));
    }

    @Override
    public int inFeatures() {
        return in;
    }

    @Override
    public int outFeatures() {
        return out;
    }

    @Override
    public void forward(MemorySegment input, MemorySegment output, int tokens) {
        for (int t = 0; t < tokens; t++) {
            for (int o = 0; o < out; o++) {
                double sum = 0;
                for (int i = 0; i < in; i++) {
                    sum += input.getAtIndex(ValueLayout.JAVA_FLOAT, (long) t * in + i) * weight[o * in + i];
                }
                output.setAtIndex(ValueLayout.JAVA_FLOAT, (long) t * out + o, (float) sum);
            }
        }
    }
}
