// Paged decode attention, pipelined (the "v2" decode kernel): cp.async K/V tiles in flight while
// tensor cores compute, and no CTA-wide barrier until the final merge.
//
// Same arguments, split geometry and workspace layout as decode_attention_d<DH>_g<GMAX>
// (decode_attention.cu), so decode_attention_reduce merges its splits unchanged. Grid
// (numKvHeads * ceil(group / 8), numDecodeSeqs, numSplits) -- head items first, unlike the legacy
// kernel --, 128 threads (4 warps), dynamic shared memory DecodeV2<DH>::SMEM (the facade mirrors it).
//
// A CTA serves up to 8 query heads of one KV head over the keys [begin, end) of one sequence. The
// keys are cut into tiles of 16 aligned to absolute key positions; warp w takes tiles w, w + 4,
// w + 8, ... and runs its own online softmax over them (its own max, sum and accumulator), so the
// four warps never wait for each other inside the loop. Each warp owns a ring of STAGES tile
// buffers (K and V of 16 keys) in shared memory and keeps STAGES - 1 tiles of cp.async copies in
// flight while it computes on the oldest: loads never stop for the softmax or the reductions, and
// V travels together with K. The block-table entries of a tile are loaded one tile ahead of its
// copies, so no copy waits on a dependent block-id load.
//
// Per tile, on tensor cores (mma.m16n8k16 bf16 -> f32):
//   S^T (16 keys x 8 heads)  = K_tile (16 x DH) . Q^T (DH x 8 heads)     keys as M, heads as N
//   O^T (DH x 8 heads)      += V_tile^T (DH x 16) . P^T (16 keys x 8 heads)
// With heads as N (n8) a GQA group of up to 8 needs no padding to m16, and the f32 accumulator
// of a thread holds the same two heads as its scores, so the per-head rescale stays in registers.
// P goes to the tensor cores as bf16 hi + lo (two p.v passes), so accumulation stays f32-accurate.
//
// Scores live in the log2 domain (scale * log2 e folded in, exp2); the split statistics written
// to the workspace are converted back to natural-log units for decode_attention_reduce.
#include "decode_common.cuh"
#include "tensor_core.cuh"

#define DECODE_V2_WARPS 4
#define DECODE_V2_THREADS (DECODE_V2_WARPS * 32)
#define DECODE_V2_TILE 16 // keys per tile: M of the q.k mma, K of the p.v mma
#define DECODE_V2_HEADS 8 // query heads per CTA: N of both mmas

template <int DH> struct DecodeV2 {
    // Tiles in flight per warp: stage bytes are 64 * DH (K and V); these keep two CTAs per SM at
    // DH 128 on Hopper (96 KiB each) and every head dim within Ampere's 163 KiB per CTA.
    static constexpr int STAGES = DH <= 64 ? 4 : DH == 128 ? 3 : 2;
    static constexpr int CPR = DH / 8;                 // 16-byte chunks per key row
    static constexpr int RPI = 32 / CPR;               // key rows one warp-wide copy covers
    static constexpr int COPIES = DECODE_V2_TILE / RPI; // copies per lane per tile, K (and again V)
    static constexpr int TILE_ELEMS = DECODE_V2_TILE * DH;
    static constexpr int STAGE_BYTES = 2 * TILE_ELEMS * 2;
    static constexpr int RING_BYTES = DECODE_V2_WARPS * STAGES * STAGE_BYTES;
    static constexpr int LDO = DH + 4; // f32 row stride of the merge buffer: conflict-free fragment stores
    static constexpr int MERGE_BYTES = DECODE_V2_WARPS * DECODE_V2_HEADS * LDO * 4;
    static constexpr int SMEM = RING_BYTES > MERGE_BYTES ? RING_BYTES : MERGE_BYTES;
    static_assert(DH % 16 == 0 && DH <= 256, "head dim must be a multiple of 16, at most 256");
    static_assert(COPIES * RPI == DECODE_V2_TILE, "a tile must split evenly over the copies");
};

__device__ __forceinline__ float bf16_lo(unsigned v) { return __uint_as_float(v << 16); }
__device__ __forceinline__ float bf16_hi(unsigned v) { return __uint_as_float(v & 0xffff0000u); }

// One b32 of P^T's B fragment: the bf16 halves (sel picks low or high) of lanes src and src + 4.
__device__ __forceinline__ unsigned transpose_pair(unsigned v, int src, unsigned sel) {
    unsigned x = __shfl_sync(PAGODA_FULL_MASK, v, src), y = __shfl_sync(PAGODA_FULL_MASK, v, src + 4);
    return __byte_perm(x, y, sel);
}

// Element offset of 16-byte chunk c of key row r inside a tile (tensor_core.cuh's swizzle).
template <int DH> __device__ __forceinline__ int tile_offset(int r, int c) { return swizzled_offset<DH>(r, c); }

// Slot of key (t0 + lane) for lanes 0..15, -1 where that key is outside [begin, end) (its table
// entry may be garbage) or the lane is 16..31.
__device__ __forceinline__ int tile_slot(const int *__restrict__ table, int t0, int lane, int begin, int end,
                                         int blockSize) {
    int key = t0 + (lane & 15);
    if (lane >= 16 || key < begin || key >= end) return -1;
    return __ldg(table + key / blockSize) * blockSize + key % blockSize;
}

// Issues the copies of one tile's K and V rows (slots from tile_slot, lanes 0..15) into a stage.
template <int DH>
__device__ __forceinline__ void issue_tile(unsigned kStage, unsigned vStage, const bf16 *__restrict__ kHead,
                                           const bf16 *__restrict__ vHead, const bf16 *__restrict__ anyValid,
                                           long long slotStride, int slots, int lane) {
    typedef DecodeV2<DH> T;
    int c = lane % T::CPR;
#pragma unroll
    for (int i = 0; i < T::COPIES; i++) {
        int r = i * T::RPI + lane / T::CPR;
        int slot = __shfl_sync(PAGODA_FULL_MASK, slots, r);
        bool ok = slot >= 0;
        long long at = ok ? (long long)slot * slotStride + c * 8 : 0;
        unsigned off = tile_offset<DH>(r, c) * 2;
        cp_async16(kStage + off, ok ? kHead + at : anyValid, ok ? 16 : 0);
        cp_async16(vStage + off, ok ? vHead + at : anyValid, ok ? 16 : 0);
    }
}

template <int DH>
__device__ __forceinline__ void decode_attention_v2_impl(
    const bf16 *__restrict__ query, const bf16 *__restrict__ keyCache, const bf16 *__restrict__ valueCache,
    const int *__restrict__ blockTables, const int *__restrict__ queryStart, const int *__restrict__ contextLens,
    const int *__restrict__ decodeSeqs, bf16 *__restrict__ out, float *__restrict__ workspace, int numHeads,
    int numKvHeads, int blockSize, int maxBlocksPerSeq, float scale, int slidingWindow, int partitionLen,
    int numSplits) {
    typedef DecodeV2<DH> T;
    constexpr int S = T::STAGES;
    constexpr int KSTEPS = DH / 16;
    extern __shared__ __align__(16) unsigned char smem[]; // [warp][stage][K | V][16 keys][DH] bf16; merge buffer after the loop
    __shared__ float warpMax[DECODE_V2_WARPS][DECODE_V2_HEADS], warpSum[DECODE_V2_WARPS][DECODE_V2_HEADS];

    // Head items run fastest in launch order: resident CTAs read neighbouring KV heads of the same
    // cache blocks (one contiguous [blockSize][numKvHeads][DH] region) instead of 2*DH bytes of each.
    int d = blockIdx.y, split = blockIdx.z;
    DecodeItem w = decode_item(decodeSeqs, contextLens, queryStart, d, blockIdx.x, numHeads, numKvHeads, DECODE_V2_HEADS,
                               slidingWindow, partitionLen);
    if (!w.active) return; // CTA-uniform
    int seq = w.seq;
    int first = w.first, last = w.last, begin = w.begin, end = w.end, kvh = w.kvh, h0 = w.h0, nh = w.nh;
    int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
    int quad = lane >> 2, inQuad = lane & 3; // mma fragment coordinates
    long long tokenRow = w.tokenRow;

    // O^T fragments: acc[mt][0|1] = dim 16mt + quad, heads 2 inQuad + {0,1}; [2|3] = dim + 8.
    float acc[KSTEPS][4];
#pragma unroll
    for (int mt = 0; mt < KSTEPS; mt++)
#pragma unroll
        for (int i = 0; i < 4; i++) acc[mt][i] = 0.f;
    float rowMax[2] = {-PAGODA_INF, -PAGODA_INF}; // heads 2 inQuad + {0,1}, log2 domain
    float rowSum[2] = {0.f, 0.f};                 // this thread's keys only until the final reduction
    const float scaleLog2 = scale * 1.4426950408889634f;

    const int *table = blockTables + (long long)seq * maxBlocksPerSeq;
    long long slotStride = (long long)numKvHeads * DH;
    const bf16 *kHead = keyCache + (long long)kvh * DH, *vHead = valueCache + (long long)kvh * DH;
    int tFirst = begin / DECODE_V2_TILE, tiles = (end - 1) / DECODE_V2_TILE - tFirst + 1;
    int myTiles = warp < tiles ? (tiles - warp + DECODE_V2_WARPS - 1) / DECODE_V2_WARPS : 0;
    unsigned ring = smem_addr(smem) + warp * S * T::STAGE_BYTES;
    auto tileStart = [&](int k) { return (tFirst + warp + k * DECODE_V2_WARPS) * DECODE_V2_TILE; }; // warp's k-th tile

    {
        int slots[S - 1]; // all prologue table loads first: their latencies overlap
#pragma unroll
        for (int k = 0; k < S - 1; k++) slots[k] = k < myTiles ? tile_slot(table, tileStart(k), lane, begin, end, blockSize) : -1;
#pragma unroll
        for (int k = 0; k < S - 1; k++) {
            if (k < myTiles) {
                unsigned stage = ring + k * T::STAGE_BYTES;
                issue_tile<DH>(stage, stage + T::TILE_ELEMS * 2, kHead, vHead, keyCache, slotStride, slots[k], lane);
            }
            cp_async_commit();
        }
    }
    int nextSlots = S - 1 < myTiles ? tile_slot(table, tileStart(S - 1), lane, begin, end, blockSize) : -1;

    // Q^T, the B operand of S^T = K Q^T: b0 = Q[head quad][16ks + 2 inQuad + {0,1}], b1 = 8 dims on.
    // Loaded after the first copies are issued, so it travels with them instead of before them.
    unsigned qb[KSTEPS][2];
    {
        const bf16 *qrow = query + tokenRow * numHeads * DH + (long long)(h0 + quad) * DH + 2 * inQuad;
#pragma unroll
        for (int ks = 0; ks < KSTEPS; ks++) {
            qb[ks][0] = quad < nh ? *reinterpret_cast<const unsigned *>(qrow + 16 * ks) : 0u;
            qb[ks][1] = quad < nh ? *reinterpret_cast<const unsigned *>(qrow + 16 * ks + 8) : 0u;
        }
    }
    for (int k = 0; k < myTiles; k++) {
        __syncwarp(); // every lane is done reading the stage the next copies overwrite
        if (k + S - 1 < myTiles) {
            unsigned stage = ring + ((k + S - 1) % S) * T::STAGE_BYTES;
            issue_tile<DH>(stage, stage + T::TILE_ELEMS * 2, kHead, vHead, keyCache, slotStride, nextSlots, lane);
        }
        cp_async_commit();
        // one tile ahead of its copies: the table load has a whole tile of compute to land
        nextSlots = k + S < myTiles ? tile_slot(table, tileStart(k + S), lane, begin, end, blockSize) : -1;
        cp_async_wait<S - 1>(); // this lane's copies of tile k have landed
        __syncwarp();           // ... and every other lane's

        unsigned kStage = ring + (k % S) * T::STAGE_BYTES, vStage = kStage + T::TILE_ELEMS * 2;
        int t0 = tileStart(k);
        // S^T = K Q^T. ldmatrix matrices: keys 0-7 | 8-15 (lane bit 3) x dims 0-7 | 8-15 (lane bit 4).
        // Even and odd k-steps accumulate apart: two dependent mma chains of half the length.
        float sc[4] = {0.f, 0.f, 0.f, 0.f}, scOdd[4] = {0.f, 0.f, 0.f, 0.f};
        {
            int r = (lane & 7) + ((lane >> 3) & 1) * 8, half = lane >> 4;
#pragma unroll
            for (int ks = 0; ks < KSTEPS; ks++) {
                unsigned a[4];
                ldmatrix_x4(a, kStage + tile_offset<DH>(r, 2 * ks + half) * 2);
                mma_bf16_16816(ks % 2 == 0 ? sc : scOdd, a, qb[ks][0], qb[ks][1]);
            }
#pragma unroll
            for (int i = 0; i < 4; i++) sc[i] += scOdd[i];
        }
        // sc[0|1]: key t0 + quad, heads 2 inQuad + {0,1}; sc[2|3]: key + 8.
        bool in0 = t0 + quad >= begin && t0 + quad < end;
        bool in1 = t0 + quad + 8 >= begin && t0 + quad + 8 < end;
        float s[4] = {in0 ? sc[0] * scaleLog2 : -PAGODA_INF, in0 ? sc[1] * scaleLog2 : -PAGODA_INF,
                      in1 ? sc[2] * scaleLog2 : -PAGODA_INF, in1 ? sc[3] * scaleLog2 : -PAGODA_INF};
        float alpha[2];
        // Probabilities as bf16 pairs (keys quad and quad + 8, heads 2 inQuad + {0,1}), each split
        // into hi + lo so that hi + lo carries 16 mantissa bits: p.v stays f32-exact to ~2^-17
        // instead of bf16's 2^-9 per weight, at the price of a second (idle) tensor-core pass.
        unsigned hi01, hi23, lo01, lo23;
        {
            float mx[2] = {fmaxf(s[0], s[2]), fmaxf(s[1], s[3])};
#pragma unroll
            for (int e = 0; e < 2; e++) {
#pragma unroll
                for (int o = 4; o < 32; o <<= 1) mx[e] = fmaxf(mx[e], __shfl_xor_sync(PAGODA_FULL_MASK, mx[e], o));
                // every tile holds a key in [begin, end), so the new max is finite
                float mNew = fmaxf(rowMax[e], mx[e]);
                alpha[e] = exp2f(rowMax[e] - mNew); // 0 on this warp's first tile
                rowMax[e] = mNew;
            }
            float p[4] = {exp2f(s[0] - rowMax[0]), exp2f(s[1] - rowMax[1]), exp2f(s[2] - rowMax[0]), exp2f(s[3] - rowMax[1])};
            hi01 = pack_bf16x2(p[0], p[1]);
            hi23 = pack_bf16x2(p[2], p[3]);
            lo01 = pack_bf16x2(p[0] - bf16_lo(hi01), p[1] - bf16_hi(hi01));
            lo23 = pack_bf16x2(p[2] - bf16_lo(hi23), p[3] - bf16_hi(hi23));
            rowSum[0] = rowSum[0] * alpha[0] + p[0] + p[2];
            rowSum[1] = rowSum[1] * alpha[1] + p[1] + p[3];
        }
#pragma unroll
        for (int mt = 0; mt < KSTEPS; mt++) {
            acc[mt][0] *= alpha[0];
            acc[mt][1] *= alpha[1];
            acc[mt][2] *= alpha[0];
            acc[mt][3] *= alpha[1];
        }
        // P^T as the B operand: b0 = P[keys 2 inQuad + {0,1}][head quad], b1 = keys + 8. Key r,
        // head h sits in lane 4r + h/2, half h%2.
        unsigned hb0, hb1, lb0, lb1;
        {
            int src = 8 * inQuad + (lane >> 3);
            unsigned sel = (quad & 1) != 0 ? 0x7632 : 0x5410; // high or low halves of the two sources
            hb0 = transpose_pair(hi01, src, sel);
            hb1 = transpose_pair(hi23, src, sel);
            lb0 = transpose_pair(lo01, src, sel);
            lb1 = transpose_pair(lo23, src, sel);
        }
        // O^T += V^T P^T. ldmatrix.trans matrices: keys 0-7 | 8-15 (lane bit 4) x dims 0-7 | 8-15 (lane bit 3).
        {
            int r = (lane & 7) + (lane >> 4) * 8, half = (lane >> 3) & 1;
#pragma unroll
            for (int mt = 0; mt < KSTEPS; mt++) {
                unsigned a[4];
                ldmatrix_x4_trans(a, vStage + tile_offset<DH>(r, 2 * mt + half) * 2);
                mma_bf16_16816(acc[mt], a, lb0, lb1);
                mma_bf16_16816(acc[mt], a, hb0, hb1);
            }
        }
    }
    cp_async_wait<0>();

    // Merge the warps: M = max of their maxima, each warp's share scaled by 2^(m_w - M).
#pragma unroll
    for (int e = 0; e < 2; e++)
#pragma unroll
        for (int o = 4; o < 32; o <<= 1) rowSum[e] += __shfl_xor_sync(PAGODA_FULL_MASK, rowSum[e], o);
    if (quad == 0) {
        warpMax[warp][2 * inQuad] = rowMax[0];
        warpMax[warp][2 * inQuad + 1] = rowMax[1];
        warpSum[warp][2 * inQuad] = rowSum[0];
        warpSum[warp][2 * inQuad + 1] = rowSum[1];
    }
    __syncthreads(); // the stats are written, and every warp is done with its ring (reused below)
    float *obuf = reinterpret_cast<float *>(smem); // [warp][head][LDO]
#pragma unroll
    for (int e = 0; e < 2; e++) {
        int h = 2 * inQuad + e;
        float m = -PAGODA_INF;
#pragma unroll
        for (int w = 0; w < DECODE_V2_WARPS; w++) m = fmaxf(m, warpMax[w][h]);
        float f = rowMax[e] == -PAGODA_INF ? 0.f : exp2f(rowMax[e] - m); // a warp without keys adds nothing
        float *o = obuf + (warp * DECODE_V2_HEADS + h) * T::LDO + quad;
#pragma unroll
        for (int mt = 0; mt < KSTEPS; mt++) {
            o[16 * mt] = acc[mt][e] * f;
            o[16 * mt + 8] = acc[mt][2 + e] * f;
        }
    }
    __syncthreads();

    // Every head of the CTA has a key in [begin, end), so its max is finite and its sum positive.
    if (first == last) {
        bf16 *orow = out + tokenRow * numHeads * DH + (long long)h0 * DH;
        for (int idx = tid; idx < nh * DH; idx += DECODE_V2_THREADS) {
            int h = idx / DH, i = idx % DH;
            float m = -PAGODA_INF;
#pragma unroll
            for (int w = 0; w < DECODE_V2_WARPS; w++) m = fmaxf(m, warpMax[w][h]);
            float o = 0.f, l = 0.f;
#pragma unroll
            for (int w = 0; w < DECODE_V2_WARPS; w++) {
                float f = warpMax[w][h] == -PAGODA_INF ? 0.f : exp2f(warpMax[w][h] - m);
                l += f * warpSum[w][h];
                o += obuf[(w * DECODE_V2_HEADS + h) * T::LDO + i];
            }
            orow[idx] = __float2bfloat16_rn(o / l);
        }
    } else {
        long long stats = (long long)gridDim.y * numHeads * numSplits; // gridDim.y: the decode count
        float *wsAcc = workspace, *wsMax = workspace + stats * DH, *wsSum = wsMax + stats;
        for (int idx = tid; idx < nh * DH; idx += DECODE_V2_THREADS) {
            int h = idx / DH, i = idx % DH;
            float o = 0.f;
#pragma unroll
            for (int w = 0; w < DECODE_V2_WARPS; w++) o += obuf[(w * DECODE_V2_HEADS + h) * T::LDO + i];
            long long at = ((long long)d * numHeads + h0 + h) * numSplits + split;
            wsAcc[at * DH + i] = o;
        }
        if (tid < nh) {
            float m = -PAGODA_INF;
#pragma unroll
            for (int w = 0; w < DECODE_V2_WARPS; w++) m = fmaxf(m, warpMax[w][tid]);
            float l = 0.f;
#pragma unroll
            for (int w = 0; w < DECODE_V2_WARPS; w++) l += warpMax[w][tid] == -PAGODA_INF ? 0.f : exp2f(warpMax[w][tid] - m) * warpSum[w][tid];
            long long at = ((long long)d * numHeads + h0 + tid) * numSplits + split;
            wsMax[at] = m * 0.6931471805599453f; // back to natural-log units: reduce uses expf
            wsSum[at] = l;
        }
    }
}

// Two CTAs per SM is the design point (shared memory allows it up to DH 128 on Hopper); the bound
// caps nothing (256 registers) but steers ptxas to an allocation without a stack frame on sm_80.
#define DECODE_V2_KERNEL(DH)                                                                                 \
    extern "C" __global__ void __launch_bounds__(DECODE_V2_THREADS, 2) decode_attention_v2_d##DH(            \
        const bf16 *__restrict__ query, const bf16 *__restrict__ keyCache, const bf16 *__restrict__ valueCache, \
        const int *__restrict__ blockTables, const int *__restrict__ queryStart,                             \
        const int *__restrict__ contextLens, const int *__restrict__ decodeSeqs, bf16 *__restrict__ out,     \
        float *__restrict__ workspace, int numHeads, int numKvHeads, int blockSize, int maxBlocksPerSeq,     \
        float scale, int slidingWindow, int partitionLen, int numSplits) {                                   \
        decode_attention_v2_impl<DH>(query, keyCache, valueCache, blockTables, queryStart, contextLens,      \
                                     decodeSeqs, out, workspace, numHeads, numKvHeads, blockSize,            \
                                     maxBlocksPerSeq, scale, slidingWindow, partitionLen, numSplits);        \
    }

DECODE_V2_KERNEL(16)
DECODE_V2_KERNEL(32)
DECODE_V2_KERNEL(64)
DECODE_V2_KERNEL(128)
DECODE_V2_KERNEL(256)

// The facade's DecodeAttentionV2Kernel.sharedBytes mirrors these figures (KernelSourcesTest checks them there).
static_assert(DecodeV2<16>::SMEM == 16384 && DecodeV2<32>::SMEM == 32768 && DecodeV2<64>::SMEM == 65536 &&
                  DecodeV2<128>::SMEM == 98304 && DecodeV2<256>::SMEM == 131072,
              "dynamic shared memory changed: update DecodeAttentionV2Kernel.sharedBytes");
