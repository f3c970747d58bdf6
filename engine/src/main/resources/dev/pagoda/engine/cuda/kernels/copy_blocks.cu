// Copy-on-write block copies: for every pair (src, dst), every layer, K and V, block src -> dst.
// grid (n, numLayers, 2): z = 0 keys, 1 values. blockBytes % 16 == 0 and 16-byte aligned pools.
#include "common.cuh"

extern "C" __global__ void copy_blocks(char *__restrict__ keyPool, char *__restrict__ valuePool,
                                       const int *__restrict__ pairs, long long layerStrideBytes,
                                       long long blockBytes) {
    int src = pairs[2 * blockIdx.x], dst = pairs[2 * blockIdx.x + 1];
    char *pool = (blockIdx.z == 0 ? keyPool : valuePool) + layerStrideBytes * blockIdx.y;
    const int4 *from = reinterpret_cast<const int4 *>(pool + blockBytes * src);
    int4 *to = reinterpret_cast<int4 *>(pool + blockBytes * dst);
    long long n = blockBytes / 16;
    for (long long i = threadIdx.x; i < n; i += blockDim.x) to[i] = from[i];
}
