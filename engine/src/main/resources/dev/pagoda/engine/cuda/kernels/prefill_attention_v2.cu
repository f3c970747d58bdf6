// Paged prefill / mixed-batch attention, FlashAttention-2 style (the "v2" prefill kernel): scores,
// probabilities and the output accumulator stay in registers, K/V tiles stream through a cp.async
// ring gathered through the block table, and one K/V tile serves HG query heads of a KV group.
//
// Same arguments and host work list as prefill_attention_d<DH> (prefill_attention.cu): tile i
// covers PREFILL_V2_ROWS (64) query rows of sequence tileSeq[i] from global row tileRow[i] (fewer at
// the sequence's end). Grid (numHeads / HG, numTiles) -- the head items of one tile run next to
// each other, so CTAs reading the same K/V blocks are resident together --, tiles in reverse order
// (a sequence's last tiles see the most keys under the causal mask: longest first).
//
// prefill_attention_v2_d<DH>_h<HG>_m<MT>: a CTA takes the tile's 64 rows for HG query heads of one
// KV group (64 HG rows of M); each warp owns 16 MT rows of one head (MT m16 tiles: every K and V
// fragment it loads feeds MT mmas), so a CTA has 4 HG / MT warps. Per K/V tile of KT keys, per warp,
// on tensor cores (mma.m16n8k16 bf16 -> f32):
//   S (16 MT rows x KT keys)  = Q . K^T      Q fragments in registers (MT 1, DH <= 128) or re-read
//                                             from shared memory per k-step (as FlashAttention-2)
//   online softmax on S's accumulator fragments (row max over the 4 lanes of a quad, exp2 with
//   scale * log2 e folded in), P rounded to bf16 and fed straight from the accumulator layout as
//   the A operand of
//   O (16 MT rows x DH)      += P . V        O in registers, rescaled per row
// K fragments come from ldmatrix, V fragments from ldmatrix.trans, both out of XOR-swizzled tiles
// (tensor_core.cuh). The block-table entries of a tile are looked up one tile before its copies are
// issued, so no copy waits on a dependent table load.
//
// Masks: key j is visible to a query at position p when j <= p and (no window or j > p - window).
// Tiles no row of the CTA can see are never loaded; a warp skips the tiles none of its rows sees,
// and on the diagonal the 16-key groups past its last row; the per-element mask runs only on tiles
// that cut through some row's visible range.
//
// Dynamic shared memory: PrefillV2<DH, HG, MT>::SMEM (the facade mirrors it): Q of the CTA's rows,
// then STAGES K/V tiles (K then V of KT keys each).
#include "tensor_core.cuh"

#define PREFILL_V2_ROWS 64 // query rows per tile (the host's tiles)

template <int DH, int HG, int MT> struct PrefillV2 {
    static constexpr int WARP_ROWS = 16 * MT;                    // rows of one head a warp owns: MT m-tiles
    static constexpr int WARPS = PREFILL_V2_ROWS * HG / WARP_ROWS;
    static constexpr int THREADS = 32 * WARPS;
    // keys per tile: S is WARP_ROWS x KT floats per warp, beside O's WARP_ROWS x DH
    static constexpr int KT = DH * MT <= 128 ? 64 : 32;
    // K/V tiles in the ring: a tile of 32 keys (two m-tiles per warp) is half the compute of one of
    // 64, so it gets a third stage to keep the same time for its copies to land.
    static constexpr int STAGES = MT == 2 ? 3 : 2;
    // Q fragments (16 DH / 32 registers per m-tile) stay in registers only where O and S leave room.
    static constexpr bool Q_IN_REGS = MT == 1 && DH <= 128;
    static constexpr int CPR = DH / 8;                           // 16-byte chunks per row
    static constexpr int TILE_CHUNKS = KT * CPR;                 // of K (and again of V) per tile
    static constexpr int COPIES = (TILE_CHUNKS + THREADS - 1) / THREADS; // per thread per tile, K (and V)
    // The slots of the next tile's copies are looked up one tile early where they fit in registers
    // (DH 256 with 4 warps would spill eight of them).
    static constexpr bool SLOTS_AHEAD = COPIES <= 4;
    static constexpr int Q_ROWS = PREFILL_V2_ROWS * HG;
    static constexpr int Q_BYTES = Q_ROWS * DH * 2;
    static constexpr int TILE_BYTES = KT * DH * 2;
    static constexpr int STAGE_BYTES = 2 * TILE_BYTES; // K then V
    static constexpr int SMEM = Q_BYTES + STAGES * STAGE_BYTES;
    static_assert(DH % 16 == 0 && DH <= 256, "head dim must be a multiple of 16, at most 256");
    static_assert(KT % 16 == 0, "a tile is whole k-steps of the p.v mma");
    static_assert(PREFILL_V2_ROWS % WARP_ROWS == 0, "a warp's rows belong to one head");
};

// Slot of each K/V row this thread copies for the tile at kt0; -1 outside [lo, ctx) (the table
// entry may be garbage there, and masked keys need no data).
template <typename T>
__device__ __forceinline__ void tile_slots(int (&slots)[T::COPIES], const int *__restrict__ table, int kt0, int lo, int ctx,
                                           int blockSize) {
#pragma unroll
    for (int i = 0; i < T::COPIES; i++) {
        int c = threadIdx.x + i * T::THREADS;
        int key = kt0 + c / T::CPR;
        bool ok = c < T::TILE_CHUNKS && key >= lo && key < ctx;
        slots[i] = ok ? __ldg(table + key / blockSize) * blockSize + key % blockSize : -1;
    }
}

template <typename T, int DH>
__device__ __forceinline__ void issue_kv_tile(unsigned stage, const int (&slots)[T::COPIES], const bf16 *__restrict__ kHead,
                                              const bf16 *__restrict__ vHead, long long slotStride) {
#pragma unroll
    for (int i = 0; i < T::COPIES; i++) {
        int c = threadIdx.x + i * T::THREADS;
        if (T::TILE_CHUNKS % T::THREADS != 0 && c >= T::TILE_CHUNKS) break;
        int r = c / T::CPR, part = c % T::CPR;
        bool ok = slots[i] >= 0;
        long long at = ok ? (long long)slots[i] * slotStride + part * 8 : 0;
        unsigned off = swizzled_offset<DH>(r, part) * 2;
        cp_async16(stage + off, kHead + at, ok ? 16 : 0);
        cp_async16(stage + T::TILE_BYTES + off, vHead + at, ok ? 16 : 0);
    }
}

// A fragment of Q for k-step ks of 16 rows (qTile: their first row, a multiple of 8).
template <int DH> __device__ __forceinline__ void load_q_fragment(unsigned (&a)[4], unsigned qTile, int ks, int lane) {
    int r = (lane & 7) + ((lane >> 3) & 1) * 8, c = 2 * ks + (lane >> 4);
    ldmatrix_x4(a, qTile + swizzled_offset<DH>(r, c) * 2);
}

template <int DH, int HG, int MT>
__device__ __forceinline__ void prefill_attention_v2_impl(
    const bf16 *__restrict__ query, const bf16 *__restrict__ keyCache, const bf16 *__restrict__ valueCache,
    const int *__restrict__ blockTables, const int *__restrict__ queryStart, const int *__restrict__ contextLens,
    const int *__restrict__ tileSeq, const int *__restrict__ tileRow, bf16 *__restrict__ out, int numHeads,
    int numKvHeads, int blockSize, int maxBlocksPerSeq, float scale, int slidingWindow) {
    typedef PrefillV2<DH, HG, MT> T;
    constexpr int KT = T::KT, KSTEPS = DH / 16, NT = KT / 8, DT = DH / 8;
    extern __shared__ __align__(128) unsigned char smem[]; // Q [HG * 64][DH], then STAGES x (K [KT][DH], V [KT][DH])

    int tile = gridDim.y - 1 - blockIdx.y; // longest first
    int seq = tileSeq[tile], row0 = tileRow[tile];
    int qs = queryStart[seq], qe = queryStart[seq + 1];
    int ctx = contextLens[seq];
    int rows = min(PREFILL_V2_ROWS, qe - row0);
    if (rows <= 0) return; // CTA-uniform
    int groupSize = numHeads / numKvHeads;
    int kvh = blockIdx.x / (groupSize / HG);
    int h0 = blockIdx.x * HG; // the host launches HG | groupSize
    int pos0 = ctx - (qe - qs) + (row0 - qs); // position of the tile's first row
    int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31;
    int quad = lane >> 2, inQuad = lane & 3;

    const int *table = blockTables + (long long)seq * maxBlocksPerSeq;
    long long slotStride = (long long)numKvHeads * DH;
    const bf16 *kHead = keyCache + (long long)kvh * DH, *vHead = valueCache + (long long)kvh * DH;
    long long qStride = (long long)numHeads * DH;

    // Keys the CTA's rows can see: [lo, lastPos]; tiles aligned to absolute key positions.
    int lastPos = pos0 + rows - 1;
    int lo = slidingWindow > 0 ? max(0, pos0 - slidingWindow + 1) : 0;
    int firstTile = lo / KT, tiles = lastPos / KT - firstTile + 1;

    unsigned qBase = smem_addr(smem), ring = qBase + T::Q_BYTES;
    // Q of every (head, row) of the CTA; rows past the sequence's end zero-filled.
    for (int c = tid; c < T::Q_ROWS * T::CPR; c += T::THREADS) {
        int m = c / T::CPR, part = c % T::CPR, hh = m / PREFILL_V2_ROWS, r = m % PREFILL_V2_ROWS;
        bool ok = r < rows;
        const bf16 *src = ok ? query + (row0 + r) * qStride + (long long)(h0 + hh) * DH + part * 8 : query;
        cp_async16(qBase + swizzled_offset<DH>(m, part) * 2, src, ok ? 16 : 0);
    }
    cp_async_commit();
    int slots[T::COPIES];
#pragma unroll
    for (int k = 0; k < T::STAGES - 1; k++) {
        if (k < tiles) {
            tile_slots<T>(slots, table, (firstTile + k) * KT, lo, ctx, blockSize);
            issue_kv_tile<T, DH>(ring + k * T::STAGE_BYTES, slots, kHead, vHead, slotStride);
        }
        cp_async_commit();
    }
    if (T::SLOTS_AHEAD && T::STAGES - 1 < tiles) tile_slots<T>(slots, table, (firstTile + T::STAGES - 1) * KT, lo, ctx, blockSize);

    // The warp's rows: tile rows r0 .. r0 + WARP_ROWS - 1 of head h0 + warp / (64 / WARP_ROWS); m-tile
    // mt holds rows r0 + 16 mt + quad (accumulator elements 0, 1) and + 8 (elements 2, 3).
    constexpr int WARPS_PER_HEAD = PREFILL_V2_ROWS / T::WARP_ROWS;
    int r0 = (warp % WARPS_PER_HEAD) * T::WARP_ROWS;
    unsigned qTile = qBase + warp * T::WARP_ROWS * DH * 2; // the swizzle repeats every 8 rows
    int warpFirstPos = pos0 + r0, warpLastPos = pos0 + min(r0 + T::WARP_ROWS - 1, rows - 1);
    bool warpIdle = r0 >= rows;
    int warpLo = slidingWindow > 0 ? warpFirstPos - slidingWindow + 1 : 0;
    const float scaleLog2 = scale * 1.4426950408889634f;

    float o[MT][DT][4];
#pragma unroll
    for (int mt = 0; mt < MT; mt++)
#pragma unroll
        for (int d = 0; d < DT; d++)
#pragma unroll
            for (int i = 0; i < 4; i++) o[mt][d][i] = 0.f;
    float rowMax[MT][2], rowSum[MT][2]; // raw (unscaled) score maxima; sums of this lane's columns until the end
#pragma unroll
    for (int mt = 0; mt < MT; mt++)
#pragma unroll
        for (int e = 0; e < 2; e++) {
            rowMax[mt][e] = -PAGODA_INF;
            rowSum[mt][e] = 0.f;
        }
    unsigned qa[T::Q_IN_REGS ? KSTEPS : 1][4];

    for (int k = 0; k < tiles; k++) {
        cp_async_wait<T::STAGES - 2>(); // this thread's copies of tile k (and Q) have landed
        __syncthreads();                // ... everyone's; and every warp is done with tile k - 1's stage
        if (T::Q_IN_REGS && k == 0) {
#pragma unroll
            for (int ks = 0; ks < KSTEPS; ks++) load_q_fragment<DH>(qa[T::Q_IN_REGS ? ks : 0], qTile, ks, lane);
        }
        if (k + T::STAGES - 1 < tiles) {
            if (!T::SLOTS_AHEAD) tile_slots<T>(slots, table, (firstTile + k + T::STAGES - 1) * KT, lo, ctx, blockSize);
            issue_kv_tile<T, DH>(ring + ((k + T::STAGES - 1) % T::STAGES) * T::STAGE_BYTES, slots, kHead, vHead, slotStride);
        }
        cp_async_commit();
        if (T::SLOTS_AHEAD && k + T::STAGES < tiles) tile_slots<T>(slots, table, (firstTile + k + T::STAGES) * KT, lo, ctx, blockSize);

        int kt0 = (firstTile + k) * KT;
        // warp-uniform: no row of this warp sees a key of the tile
        if (warpIdle || kt0 > warpLastPos || kt0 + KT - 1 < warpLo) continue;
        unsigned kStage = ring + (k % T::STAGES) * T::STAGE_BYTES, vStage = kStage + T::TILE_BYTES;

        // S = Q K^T. ldmatrix matrices: keys 0-7 | 8-15 (lane bit 4) x dims 0-7 | 8-15 (lane bit 3)
        // = b0, b1 of key group 2np, then of 2np + 1. Key groups past the warp's last row (the
        // diagonal tile) are skipped: the mask below makes them -inf anyway.
        float s[MT][NT][4];
#pragma unroll
        for (int mt = 0; mt < MT; mt++)
#pragma unroll
            for (int n = 0; n < NT; n++)
#pragma unroll
                for (int i = 0; i < 4; i++) s[mt][n][i] = 0.f;
        {
            int kr = (lane & 7) + ((lane >> 4) & 1) * 8, half = (lane >> 3) & 1;
#pragma unroll
            for (int ks = 0; ks < KSTEPS; ks++) {
                unsigned a[MT][4];
#pragma unroll
                for (int mt = 0; mt < MT; mt++) {
                    if (T::Q_IN_REGS) {
#pragma unroll
                        for (int i = 0; i < 4; i++) a[mt][i] = qa[T::Q_IN_REGS ? ks : 0][i];
                    } else {
                        load_q_fragment<DH>(a[mt], qTile + mt * 16 * DH * 2, ks, lane);
                    }
                }
#pragma unroll
                for (int np = 0; np < NT / 2; np++) {
                    if (kt0 + 16 * np > warpLastPos) continue; // warp-uniform
                    unsigned b[4];
                    ldmatrix_x4(b, kStage + swizzled_offset<DH>(np * 16 + kr, 2 * ks + half) * 2);
#pragma unroll
                    for (int mt = 0; mt < MT; mt++) {
                        mma_bf16_16816(s[mt][2 * np], a[mt], b[0], b[1]);
                        mma_bf16_16816(s[mt][2 * np + 1], a[mt], b[2], b[3]);
                    }
                }
            }
        }
        // s[mt][n][0|1]: row r0 + 16 mt + quad, keys kt0 + 8n + 2 inQuad + {0,1}; s[mt][n][2|3]: row + 8.
        bool cut = kt0 + KT - 1 > warpFirstPos || (slidingWindow > 0 && kt0 <= warpLastPos - slidingWindow);
        if (cut) {
#pragma unroll
            for (int mt = 0; mt < MT; mt++)
#pragma unroll
                for (int n = 0; n < NT; n++)
#pragma unroll
                    for (int i = 0; i < 4; i++) {
                        int key = kt0 + 8 * n + 2 * inQuad + (i & 1), pos = warpFirstPos + 16 * mt + quad + (i >> 1) * 8;
                        bool visible = key <= pos && (slidingWindow <= 0 || key > pos - slidingWindow);
                        if (!visible) s[mt][n][i] = -PAGODA_INF;
                    }
        }
        float mScaled[MT][2];
#pragma unroll
        for (int mt = 0; mt < MT; mt++) {
            float alpha[2];
#pragma unroll
            for (int e = 0; e < 2; e++) {
                float mx = rowMax[mt][e];
#pragma unroll
                for (int n = 0; n < NT; n++) mx = fmaxf(mx, fmaxf(s[mt][n][2 * e], s[mt][n][2 * e + 1]));
                mx = fmaxf(mx, __shfl_xor_sync(PAGODA_FULL_MASK, mx, 1));
                mx = fmaxf(mx, __shfl_xor_sync(PAGODA_FULL_MASK, mx, 2));
                // a row that has seen no key yet keeps max -inf: its probabilities and alpha are 0
                mScaled[mt][e] = mx == -PAGODA_INF ? 0.f : mx * scaleLog2;
                alpha[e] = exp2_approx(rowMax[mt][e] * scaleLog2 - mScaled[mt][e]);
                rowMax[mt][e] = mx;
                rowSum[mt][e] *= alpha[e];
            }
            // Once a row's maximum has settled (most tiles of a long context) alpha is exactly 1:
            // the warp skips the DH / 2 multiplies per m-tile when it is for all its rows (not at
            // DH 256, where the branch costs registers that are not there).
            if (DH > 128 || __any_sync(PAGODA_FULL_MASK, alpha[0] != 1.f || alpha[1] != 1.f)) {
#pragma unroll
                for (int d = 0; d < DT; d++) {
                    o[mt][d][0] *= alpha[0];
                    o[mt][d][1] *= alpha[0];
                    o[mt][d][2] *= alpha[1];
                    o[mt][d][3] *= alpha[1];
                }
            }
        }
        // P = exp2(s scale log2e - m), rounded to bf16 as the A operand: keys 16kk .. + 15 are the
        // accumulators of key groups 2kk (a0, a1) and 2kk + 1 (a2, a3). The sums take the unrounded p.
        {
            int vr = (lane & 7) + ((lane >> 3) & 1) * 8, half = lane >> 4;
#pragma unroll
            for (int kk = 0; kk < KT / 16; kk++) {
                if (kt0 + 16 * kk > warpLastPos) continue; // warp-uniform: all of P is 0 there
                unsigned a[MT][4];
#pragma unroll
                for (int mt = 0; mt < MT; mt++) {
                    float p[2][4];
#pragma unroll
                    for (int j = 0; j < 2; j++)
#pragma unroll
                        for (int i = 0; i < 4; i++) p[j][i] = exp2_approx(fmaf(s[mt][2 * kk + j][i], scaleLog2, -mScaled[mt][i >> 1]));
                    rowSum[mt][0] += p[0][0] + p[0][1] + p[1][0] + p[1][1];
                    rowSum[mt][1] += p[0][2] + p[0][3] + p[1][2] + p[1][3];
                    a[mt][0] = pack_bf16x2(p[0][0], p[0][1]);
                    a[mt][1] = pack_bf16x2(p[0][2], p[0][3]);
                    a[mt][2] = pack_bf16x2(p[1][0], p[1][1]);
                    a[mt][3] = pack_bf16x2(p[1][2], p[1][3]);
                }
                // O += P V. ldmatrix.trans matrices: keys 0-7 | 8-15 (lane bit 3) x dims 0-7 | 8-15
                // (lane bit 4) = b0, b1 of dim group 2dp, then of 2dp + 1.
#pragma unroll
                for (int dp = 0; dp < DT / 2; dp++) {
                    unsigned b[4];
                    ldmatrix_x4_trans(b, vStage + swizzled_offset<DH>(kk * 16 + vr, 2 * dp + half) * 2);
#pragma unroll
                    for (int mt = 0; mt < MT; mt++) {
                        mma_bf16_16816(o[mt][2 * dp], a[mt], b[0], b[1]);
                        mma_bf16_16816(o[mt][2 * dp + 1], a[mt], b[2], b[3]);
                    }
                }
            }
        }
    }
    cp_async_wait<0>(); // no copy may still target shared memory when the CTA exits

    if (warpIdle) return;
    int h = h0 + warp / WARPS_PER_HEAD;
#pragma unroll
    for (int mt = 0; mt < MT; mt++) {
#pragma unroll
        for (int e = 0; e < 2; e++) {
            float l = rowSum[mt][e];
            l += __shfl_xor_sync(PAGODA_FULL_MASK, l, 1);
            l += __shfl_xor_sync(PAGODA_FULL_MASK, l, 2);
            float inv = l > 0.f ? 1.f / l : 0.f; // every valid row sees itself, so l >= 1 there
            int r = r0 + 16 * mt + quad + 8 * e;
            if (r >= rows) continue;
            bf16 *dst = out + (row0 + r) * qStride + (long long)h * DH + 2 * inQuad;
#pragma unroll
            for (int d = 0; d < DT; d++) {
                *reinterpret_cast<unsigned *>(dst + 8 * d) = pack_bf16x2(o[mt][d][2 * e] * inv, o[mt][d][2 * e + 1] * inv);
            }
        }
    }
}

// One CTA per SM is all the bound asks: ptxas then takes up to 255 registers with no spills on sm_80
// and sm_90a (without the bound it capped some small-DH instantiations at 128 and spilled), i.e. 8
// warps per SM at DH 128, FlashAttention-2's occupancy; asking for more CTAs would spill.
#define PREFILL_V2_KERNEL(DH, HG, MT)                                                                             \
    extern "C" __global__ void __launch_bounds__(PrefillV2<DH, HG, MT>::THREADS, 1)                                  \
        prefill_attention_v2_d##DH##_h##HG##_m##MT(                                                               \
            const bf16 *__restrict__ query, const bf16 *__restrict__ keyCache,                                    \
            const bf16 *__restrict__ valueCache, const int *__restrict__ blockTables,                             \
            const int *__restrict__ queryStart, const int *__restrict__ contextLens,                              \
            const int *__restrict__ tileSeq, const int *__restrict__ tileRow, bf16 *__restrict__ out,             \
            int numHeads, int numKvHeads, int blockSize, int maxBlocksPerSeq, float scale, int slidingWindow) {   \
        prefill_attention_v2_impl<DH, HG, MT>(query, keyCache, valueCache, blockTables, queryStart, contextLens,   \
                                              tileSeq, tileRow, out, numHeads, numKvHeads, blockSize,             \
                                              maxBlocksPerSeq, scale, slidingWindow);                             \
    }

PREFILL_V2_KERNEL(16, 1, 1)
PREFILL_V2_KERNEL(16, 2, 2)
PREFILL_V2_KERNEL(16, 4, 2)
PREFILL_V2_KERNEL(32, 1, 1)
PREFILL_V2_KERNEL(32, 2, 2)
PREFILL_V2_KERNEL(32, 4, 2)
PREFILL_V2_KERNEL(64, 1, 1)
PREFILL_V2_KERNEL(64, 2, 2)
PREFILL_V2_KERNEL(64, 4, 2)
PREFILL_V2_KERNEL(128, 1, 1)
PREFILL_V2_KERNEL(128, 2, 2)
PREFILL_V2_KERNEL(128, 4, 2)
PREFILL_V2_KERNEL(256, 1, 1)
PREFILL_V2_KERNEL(256, 2, 1)

// The facade's PrefillAttentionV2Kernel.sharedBytes mirrors these figures (KernelSourcesTest checks them there).
static_assert(PrefillV2<16, 1, 1>::SMEM == 10240 && PrefillV2<32, 4, 2>::SMEM == 40960 && PrefillV2<64, 2, 2>::SMEM == 65536 &&
                  PrefillV2<128, 1, 1>::SMEM == 81920 && PrefillV2<128, 2, 2>::SMEM == 81920 &&
                  PrefillV2<128, 4, 2>::SMEM == 114688 && PrefillV2<256, 1, 1>::SMEM == 98304 &&
                  PrefillV2<256, 2, 1>::SMEM == 131072,
              "dynamic shared memory changed: update PrefillAttentionV2Kernel.sharedBytes");
