// Embedding gather: out (T, D) f32 = table[tokenIds[t]] (bf16 rows), one CTA per token.
#include "common.cuh"

extern "C" __global__ void embedding_gather(const int *__restrict__ tokenIds, const bf16 *__restrict__ table,
                                            float *__restrict__ out, int dim) {
    int t = blockIdx.x;
    const bf16 *row = table + (long long)tokenIds[t] * dim;
    float *dst = out + (long long)t * dim;
    if ((dim & 7) == 0) { // 16-byte loads; the facade requires 16-byte aligned tables
        for (int c = threadIdx.x; c < dim / 8; c += blockDim.x) {
            float v[8];
            unpack8(reinterpret_cast<const Bf16x8 *>(row)[c], v);
            float4 *d = reinterpret_cast<float4 *>(dst + 8 * c);
            d[0] = float4{v[0], v[1], v[2], v[3]};
            d[1] = float4{v[4], v[5], v[6], v[7]};
        }
    } else {
        for (int i = threadIdx.x; i < dim; i += blockDim.x) dst[i] = __bfloat162float(row[i]);
    }
}

// Asynchronous scheduling: a step scheduled before the previous one finished carries placeholder
// ids for the tokens that step samples. tokenIds[t] = previousSampled[feedRows[t]] where
// feedRows[t] >= 0 (the previous step's logit row), before the embedding reads them.
extern "C" __global__ void fill_pending_tokens(int *__restrict__ tokenIds, const int *__restrict__ feedRows,
                                               const int *__restrict__ previousSampled, int tokens) {
    int t = blockIdx.x * blockDim.x + threadIdx.x;
    if (t < tokens) {
        int row = feedRows[t];
        if (row >= 0) tokenIds[t] = previousSampled[row];
    }
}
