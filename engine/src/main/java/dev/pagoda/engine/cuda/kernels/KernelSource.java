package dev.pagoda.engine.cuda.kernels;

import java.util.List;

/**
 * A kernel source file (class-path resource next to this package's {@code .cu} files) and the
 * {@code extern "C" __global__} names the facade takes from it. The facade resolves functions only
 * through these, and a plain test checks every name against the source text, so a renamed kernel
 * fails CI instead of a GPU run.
 *
 * @param file      file name inside {@link #FOLDER}
 * @param functions kernel names the facade looks up
 */
record KernelSource(String file, List<String> functions) {

    static final String FOLDER = "/dev/pagoda/engine/cuda/kernels/";

    KernelSource {
        functions = List.copyOf(functions);
    }

    String resourcePath() {
        return FOLDER + file;
    }

    /** Every source the facade loads. */
    static List<KernelSource> all() {
        return List.of(ElementwiseKernels.EMBEDDING, ElementwiseKernels.RMS_NORM, ElementwiseKernels.SILU_MUL,
                ElementwiseKernels.COPY_BLOCKS, QkvRopeCacheKernel.SOURCE, DecodeAttentionKernel.SOURCE,
                DecodeAttentionV2Kernel.SOURCE, PrefillAttentionKernel.SOURCE, PrefillAttentionV2Kernel.SOURCE,
                SamplingKernel.SOURCE);
    }
}
