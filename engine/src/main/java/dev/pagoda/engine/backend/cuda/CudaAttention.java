package dev.pagoda.engine.backend.cuda;

import dev.pagoda.engine.backend.cuda.CudaWeights.CudaNorm;
import dev.pagoda.engine.cuda.kernels.CudaKernels.AttentionGeometry;
import dev.pagoda.engine.model.ops.AttentionLayer;
import dev.pagoda.engine.model.ops.AttentionSpec;

/**
 * One declared attention layer on the device: its cache layer, its kernels' geometry, its q/k
 * norm weights and the RoPE tables it shares with layers of the same RoPE spec.
 *
 * @param qNorm null without q/k norms
 * @param kNorm null without q/k norms
 */
record CudaAttention(AttentionSpec spec, int cacheLayer, AttentionGeometry geometry, CudaNorm qNorm, CudaNorm kNorm,
                     CudaRope rope) implements AttentionLayer {

    /** RoPE inverse frequencies on the device and YaRN's cos/sin factor. */
    record CudaRope(CudaTensor invFreq, float attentionFactor) {}

    float normEps() {
        return qNorm == null ? 1e-6f : (float) qNorm.spec().eps();
    }
}
