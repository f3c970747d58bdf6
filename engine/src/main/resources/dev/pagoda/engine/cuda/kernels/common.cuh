// Shared helpers of Pagoda's CUDA kernels (compiled by NVRTC at run time; nvcc for offline checks).
// Only the bf16 header is included: NVRTC has no C++ standard library.
#pragma once
#include <cuda_bf16.h>

typedef __nv_bfloat16 bf16;

#define PAGODA_WARP 32
#define PAGODA_FULL_MASK 0xffffffffu
// NVRTC has no <math.h> macros such as INFINITY.
#define PAGODA_INF __int_as_float(0x7f800000)

// Eight bf16 values moved as one 16-byte load or store: full 32-byte sectors for 128-bit accesses.
struct __align__(16) Bf16x8 {
    __nv_bfloat162 h[4];
};

__device__ __forceinline__ void unpack8(const Bf16x8 &v, float out[8]) {
#pragma unroll
    for (int i = 0; i < 4; i++) {
        float2 f = __bfloat1622float2(v.h[i]);
        out[2 * i] = f.x;
        out[2 * i + 1] = f.y;
    }
}

// Round-to-nearest-even, as torch's .to(bfloat16).
__device__ __forceinline__ Bf16x8 pack8(const float in[8]) {
    Bf16x8 v;
#pragma unroll
    for (int i = 0; i < 4; i++) v.h[i] = __floats2bfloat162_rn(in[2 * i], in[2 * i + 1]);
    return v;
}

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(PAGODA_FULL_MASK, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(PAGODA_FULL_MASK, v, o));
    return v;
}

// Sum over the block, the same value returned to every thread. scratch holds >= 32 floats;
// the fixed reduction tree makes the result independent of scheduling (run-to-run identical).
__device__ __forceinline__ float block_sum(float v, float *scratch) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
    v = warp_sum(v);
    __syncthreads(); // scratch may still be read by a previous call
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = lane < warps ? scratch[lane] : 0.f;
    return warp_sum(v);
}

__device__ __forceinline__ float block_max(float v, float *scratch) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = lane < warps ? scratch[lane] : -PAGODA_INF;
    return warp_max(v);
}
