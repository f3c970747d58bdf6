package dev.pagoda.engine.cuda.kernels;

/**
 * Tolerance of the attention kernels against the CPU's f32 PagedAttention on the same bf16
 * inputs: the bf16 output rounding (2^-9 relative, half an ulp) and, in prefill, the bf16
 * rounding of the softmax probabilities fed to the tensor cores (2^-9 relative per term, a random
 * walk over the keys). The v2 decode kernel feeds them as bf16 hi + lo pairs (2^-17 per term),
 * which this bound covers with room to spare. Queries are scaled so attention is peaked: one wrong key, mask bit or
 * block-table lookup moves outputs by far more than this.
 */
final class AttentionTolerance {

    static final double ATOL = 4e-3;
    static final double RTOL = 0x1p-7;

    private AttentionTolerance() {}
}
