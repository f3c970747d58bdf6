package dev.pagoda.engine.cuda.kernels;

import java.util.Properties;

/**
 * Which prefill / mixed-batch attention kernel {@link CudaKernels} launches. Both are always
 * compiled and loaded, take the same arguments and the same host work list (tiles of
 * {@link CudaKernels#prefillTileRows()} query rows), so either serves any supported geometry.
 */
public enum PrefillKernelChoice {
    /** {@code prefill_attention_d<DH>}: WMMA, one query head per CTA, scores and output accumulator in shared memory. */
    LEGACY("legacy"),
    /**
     * {@code prefill_attention_v2_d<DH>_h<HG>_m<MT>}: mma.sync with scores and output in registers,
     * cp.async K/V ring, each K/V tile shared by up to four query heads of a KV group.
     */
    V2("v2");

    /** System property naming the kernel: {@code legacy} or {@code v2} (the default). */
    public static final String PROPERTY = "pagoda.cuda.prefillKernel";
    public static final PrefillKernelChoice DEFAULT = V2;

    private final String propertyValue;

    PrefillKernelChoice(String propertyValue) {
        this.propertyValue = propertyValue;
    }

    public String propertyValue() {
        return propertyValue;
    }

    /** The choice {@link #PROPERTY} names in {@code properties}, {@link #DEFAULT} where it is unset or blank. */
    public static PrefillKernelChoice fromProperties(Properties properties) {
        return KernelChoiceProperty.parse(properties, PROPERTY, DEFAULT, values(), PrefillKernelChoice::propertyValue);
    }
}
