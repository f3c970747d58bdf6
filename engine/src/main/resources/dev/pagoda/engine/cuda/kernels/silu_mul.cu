// SwiGLU activation: out (T, I) bf16 = bf16(silu(gate) * up), gateUp (T, 2I) bf16 with gate in
// columns [0, I) and up in [I, 2I). silu in f32 with an accurate expf (no fast math).
#include "common.cuh"

__device__ __forceinline__ float silu(float g) { return g / (1.f + expf(-g)); }

// grid (ceil(I / (8 * blockDim.x)), T): eight columns per thread when I % 8 == 0.
extern "C" __global__ void silu_mul(const bf16 *__restrict__ gateUp, bf16 *__restrict__ out, int inter) {
    int t = blockIdx.y;
    const bf16 *gate = gateUp + (long long)t * 2 * inter;
    const bf16 *up = gate + inter;
    bf16 *dst = out + (long long)t * inter;
    if ((inter & 7) == 0) {
        int c = blockIdx.x * blockDim.x + threadIdx.x;
        if (c >= inter / 8) return;
        float g[8], u[8], o[8];
        unpack8(reinterpret_cast<const Bf16x8 *>(gate)[c], g);
        unpack8(reinterpret_cast<const Bf16x8 *>(up)[c], u);
#pragma unroll
        for (int i = 0; i < 8; i++) o[i] = silu(g[i]) * u[i];
        reinterpret_cast<Bf16x8 *>(dst)[c] = pack8(o);
    } else {
        for (int c = blockIdx.x * blockDim.x * 8 + threadIdx.x; c < min(inter, (blockIdx.x + 1) * blockDim.x * 8);
             c += blockDim.x)
            dst[c] = __float2bfloat16_rn(silu(__bfloat162float(gate[c])) * __bfloat162float(up[c]));
    }
}
