package dev.pagoda.engine.cuda.kernels;

import dev.pagoda.engine.cuda.CudaStream;

/** One decode attention kernel behind {@link CudaKernels#decodeAttention}; see {@link DecodeKernelChoice}. */
interface DecodeAttentionLauncher {

    void launch(CudaStream s, CudaKernels.AttentionGeometry g, CudaKernels.DecodeAttention a);
}
