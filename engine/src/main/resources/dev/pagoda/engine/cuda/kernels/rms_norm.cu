// RMSNorm of f32 rows into bf16: out[i] = bf16(x[row_i] * rsqrt(mean(x[row_i]^2) + eps) * w).
// One CTA per output row. The row is read twice (statistics, then scaling); the second read hits L1/L2.
#include "common.cuh"

extern "C" __global__ void rms_norm(const float *__restrict__ x, const int *__restrict__ rows,
                                    const bf16 *__restrict__ weight, bf16 *__restrict__ out, int dim, float eps) {
    __shared__ float scratch[32];
    int i = blockIdx.x;
    int row = rows == nullptr ? i : rows[i];
    const float *src = x + (long long)row * dim;
    bf16 *dst = out + (long long)i * dim;
    bool vec = (dim & 7) == 0;
    float sq = 0.f;
    if (vec) {
        for (int c = threadIdx.x; c < dim / 4; c += blockDim.x) {
            float4 v = reinterpret_cast<const float4 *>(src)[c];
            sq += v.x * v.x + v.y * v.y + v.z * v.z + v.w * v.w;
        }
    } else {
        for (int c = threadIdx.x; c < dim; c += blockDim.x) sq += src[c] * src[c];
    }
    float inv = rsqrtf(block_sum(sq, scratch) / (float)dim + eps);
    if (vec) {
        for (int c = threadIdx.x; c < dim / 8; c += blockDim.x) {
            float4 a = reinterpret_cast<const float4 *>(src)[2 * c];
            float4 b = reinterpret_cast<const float4 *>(src)[2 * c + 1];
            float w[8];
            unpack8(reinterpret_cast<const Bf16x8 *>(weight)[c], w);
            float o[8] = {a.x * inv * w[0], a.y * inv * w[1], a.z * inv * w[2], a.w * inv * w[3],
                          b.x * inv * w[4], b.y * inv * w[5], b.z * inv * w[6], b.w * inv * w[7]};
            reinterpret_cast<Bf16x8 *>(dst)[c] = pack8(o);
        }
    } else {
        for (int c = threadIdx.x; c < dim; c += blockDim.x)
            dst[c] = __float2bfloat16_rn(src[c] * inv * __bfloat162float(weight[c]));
    }
}
