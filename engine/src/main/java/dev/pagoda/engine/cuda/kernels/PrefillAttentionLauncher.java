package dev.pagoda.engine.cuda.kernels;

import dev.pagoda.engine.cuda.CudaStream;

/** One prefill attention kernel behind {@link CudaKernels#prefillAttention}; see {@link PrefillKernelChoice}. */
interface PrefillAttentionLauncher {

    void launch(CudaStream s, CudaKernels.AttentionGeometry g, CudaKernels.PrefillAttention a);
}
