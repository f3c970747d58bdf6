// Per token, fused after the QKV GEMM: + bias, Qwen3 per-head q/k RMSNorm, RoPE (rotate-half),
// q -> query (bf16), k and v -> their cache slot (bf16, NHD layout [block][offset][kvHead][Dh]).
// One CTA per token; cos/sin of the token's position are computed once into shared memory, then
// each warp handles whole heads (a warp-wide sum gives the head's RMS).
#include "common.cuh"

#define QKV_MAX_HALF 256 // head_dim <= 512

extern "C" __global__ void qkv_rope_cache(const float *__restrict__ qkv, const bf16 *__restrict__ bias,
                                          const bf16 *__restrict__ qNorm, const bf16 *__restrict__ kNorm,
                                          const int *__restrict__ positions, const float *__restrict__ invFreq,
                                          float attentionFactor, const int *__restrict__ slotMapping,
                                          bf16 *__restrict__ query, bf16 *__restrict__ keyCache,
                                          bf16 *__restrict__ valueCache, int numHeads, int numKvHeads, int headDim,
                                          float normEps) {
    __shared__ float cosT[QKV_MAX_HALF], sinT[QKV_MAX_HALF];
    int t = blockIdx.x;
    int half = headDim / 2;
    float pos = (float)positions[t];
    for (int i = threadIdx.x; i < half; i += blockDim.x) {
        float s, c;
        sincosf(pos * invFreq[i], &s, &c); // fp32 angle as HF's inv_freq @ position_ids
        cosT[i] = c * attentionFactor;
        sinT[i] = s * attentionFactor;
    }
    __syncthreads();
    int heads = numHeads + 2 * numKvHeads;
    int slot = slotMapping[t];
    const float *row = qkv + (long long)t * heads * headDim;
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    for (int h = warp; h < heads; h += warps) {
        bool isQ = h < numHeads, isV = h >= numHeads + numKvHeads;
        if (!isQ && slot < 0) continue; // padding token: nothing goes into the cache
        const float *src = row + h * headDim;
        const bf16 *b = bias == nullptr ? nullptr : bias + h * headDim;
        const bf16 *normW = isV ? nullptr : (isQ ? qNorm : kNorm);
        bf16 *dst;
        if (isQ) dst = query + ((long long)t * numHeads + h) * headDim;
        else {
            int kvh = isV ? h - numHeads - numKvHeads : h - numHeads;
            dst = (isV ? valueCache : keyCache) + ((long long)slot * numKvHeads + kvh) * headDim;
        }
        if (isV) {
            for (int i = lane; i < headDim; i += 32) {
                float v = src[i] + (b ? __bfloat162float(b[i]) : 0.f);
                dst[i] = __float2bfloat16_rn(v);
            }
            continue;
        }
        // q or k: each lane owns pairs (i, i + half); statistics over the whole head first.
        float inv = 1.f;
        if (normW != nullptr) {
            float sq = 0.f;
            for (int i = lane; i < headDim; i += 32) {
                float v = src[i] + (b ? __bfloat162float(b[i]) : 0.f);
                sq += v * v;
            }
            inv = rsqrtf(warp_sum(sq) / (float)headDim + normEps);
        }
        for (int i = lane; i < half; i += 32) {
            float x1 = src[i] + (b ? __bfloat162float(b[i]) : 0.f);
            float x2 = src[i + half] + (b ? __bfloat162float(b[i + half]) : 0.f);
            if (normW != nullptr) {
                x1 = x1 * inv * __bfloat162float(normW[i]);
                x2 = x2 * inv * __bfloat162float(normW[i + half]);
            }
            float c = cosT[i], s = sinT[i];
            dst[i] = __float2bfloat16_rn(x1 * c - x2 * s);
            dst[i + half] = __float2bfloat16_rn(x2 * c + x1 * s);
        }
    }
}
