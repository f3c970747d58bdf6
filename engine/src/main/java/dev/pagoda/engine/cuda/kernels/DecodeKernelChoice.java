package dev.pagoda.engine.cuda.kernels;

import java.util.Properties;

/**
 * Which decode attention kernel {@link CudaKernels} launches. Both are always compiled and loaded,
 * take the same arguments, split the KV length the same way and share the split merge, so either
 * can serve any supported geometry.
 */
public enum DecodeKernelChoice {
    /** {@code decode_attention_d<DH>_g<GMAX>}: 256 threads, q.k / softmax / p.v phases per 512-key chunk. */
    LEGACY("legacy"),
    /** {@code decode_attention_v2_d<DH>}: per-warp cp.async pipelines, tensor cores, one merge at the end. */
    V2("v2");

    /** System property naming the kernel: {@code legacy} or {@code v2} (the default). */
    public static final String PROPERTY = "pagoda.cuda.decodeKernel";
    public static final DecodeKernelChoice DEFAULT = V2;

    private final String propertyValue;

    DecodeKernelChoice(String propertyValue) {
        this.propertyValue = propertyValue;
    }

    public String propertyValue() {
        return propertyValue;
    }

    /** The choice {@link #PROPERTY} names in {@code properties}, {@link #DEFAULT} where it is unset or blank. */
    public static DecodeKernelChoice fromProperties(Properties properties) {
        return KernelChoiceProperty.parse(properties, PROPERTY, DEFAULT, values(), DecodeKernelChoice::propertyValue);
    }
}
