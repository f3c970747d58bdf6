// Paged prefill / mixed-batch attention, flash-attention style, on tensor cores (WMMA bf16 -> f32).
//
// grid (numTiles, numHeads), 128 threads (4 warps). A CTA takes PREFILL_ROWS consecutive query rows
// of one sequence (tileSeq/tileRow, built by the host) and one query head; each warp owns 16 of
// those rows end to end (S = Q K^T, online softmax, O += P V), so warps only meet at the K/V tile
// loads. K/V tiles of KT keys are gathered through the block table into shared memory (16-byte
// loads); Q lives in registers as WMMA fragments; the running O lives in shared memory (f32)
// because WMMA's fragment layout is opaque and the per-row rescale needs rows.
//
// Masks: key j is visible to a query at position p when j <= p and (no window or j > p - window).
//
// Dynamic shared memory: prefill_smem_bytes(DH) below; the facade mirrors the formula.
#include "common.cuh"
#include <mma.h>

using namespace nvcuda;

#define PREFILL_ROWS 64
#define PREFILL_THREADS 128

template <int DH> struct PrefillTile {
    static constexpr int KT = DH <= 128 ? 64 : 32; // keys per tile
    static constexpr int LDK = DH + 8;             // bf16 row stride of K/V tiles (bank spread)
    static constexpr int LDS = KT + 4;             // f32 row stride of scores
    static constexpr int LDP = KT + 8;             // bf16 row stride of probabilities
    static constexpr int LDO = DH + 4;             // f32 row stride of the output accumulator
    static constexpr int K_BYTES = KT * LDK * 2;
    static constexpr int S_BYTES = PREFILL_ROWS * LDS * 4;
    static constexpr int P_BYTES = PREFILL_ROWS * LDP * 2;
    static constexpr int O_BYTES = PREFILL_ROWS * LDO * 4;
    static constexpr int STAT_BYTES = 2 * PREFILL_ROWS * 4;
    static constexpr int SMEM = 2 * K_BYTES + S_BYTES + P_BYTES + O_BYTES + STAT_BYTES;
};

// Copies KT rows of keys and of values of one KV head into the shared tiles; rows outside
// [0, ctx) become zeros. Every load is issued before the first store so that each thread has
// 2 * PER_THREAD 16-byte loads in flight instead of one.
template <int DH>
__device__ __forceinline__ void load_kv_tiles(bf16 *kTile, bf16 *vTile, const bf16 *__restrict__ keyCache,
                                              const bf16 *__restrict__ valueCache, const int *table, int blockSize,
                                              int kt0, int ctx, long long slotStride, int kvh) {
    typedef PrefillTile<DH> T;
    constexpr int CHUNKS = DH / 8;
    constexpr int PER_THREAD = T::KT * CHUNKS / PREFILL_THREADS;
    static_assert(PER_THREAD * PREFILL_THREADS == T::KT * CHUNKS, "tile must split evenly over the threads");
    Bf16x8 k[PER_THREAD], v[PER_THREAD];
#pragma unroll
    for (int i = 0; i < PER_THREAD; i++) {
        int c = threadIdx.x + i * PREFILL_THREADS;
        int key = kt0 + c / CHUNKS, part = c % CHUNKS;
        if (key >= 0 && key < ctx) {
            long long slot = (long long)table[key / blockSize] * blockSize + key % blockSize;
            long long at = slot * slotStride + (long long)kvh * DH;
            k[i] = reinterpret_cast<const Bf16x8 *>(keyCache + at)[part];
            v[i] = reinterpret_cast<const Bf16x8 *>(valueCache + at)[part];
        } else {
#pragma unroll
            for (int j = 0; j < 4; j++) k[i].h[j] = v[i].h[j] = __float2bfloat162_rn(0.f);
        }
    }
#pragma unroll
    for (int i = 0; i < PER_THREAD; i++) {
        int c = threadIdx.x + i * PREFILL_THREADS;
        int offset = (c / CHUNKS) * T::LDK + (c % CHUNKS) * 8;
        *reinterpret_cast<Bf16x8 *>(kTile + offset) = k[i];
        *reinterpret_cast<Bf16x8 *>(vTile + offset) = v[i];
    }
}

template <int DH>
__device__ __forceinline__ void prefill_attention_impl(
    const bf16 *__restrict__ query, const bf16 *__restrict__ keyCache, const bf16 *__restrict__ valueCache,
    const int *__restrict__ blockTables, const int *__restrict__ queryStart, const int *__restrict__ contextLens,
    const int *__restrict__ tileSeq, const int *__restrict__ tileRow, bf16 *__restrict__ out, int numHeads,
    int numKvHeads, int blockSize, int maxBlocksPerSeq, float scale, int slidingWindow) {
    typedef PrefillTile<DH> T;
    constexpr int KT = T::KT;
    extern __shared__ __align__(128) unsigned char smem[];
    bf16 *Ks = reinterpret_cast<bf16 *>(smem);
    bf16 *Vs = reinterpret_cast<bf16 *>(smem + T::K_BYTES);
    float *Ss = reinterpret_cast<float *>(smem + 2 * T::K_BYTES);
    bf16 *Ps = reinterpret_cast<bf16 *>(smem + 2 * T::K_BYTES + T::S_BYTES);
    float *Os = reinterpret_cast<float *>(smem + 2 * T::K_BYTES + T::S_BYTES + T::P_BYTES);
    float *rowM = reinterpret_cast<float *>(smem + 2 * T::K_BYTES + T::S_BYTES + T::P_BYTES + T::O_BYTES);
    float *rowL = rowM + PREFILL_ROWS;

    int seq = tileSeq[blockIdx.x];
    int row0 = tileRow[blockIdx.x];
    int h = blockIdx.y;
    int kvh = h / (numHeads / numKvHeads);
    int qs = queryStart[seq], qe = queryStart[seq + 1];
    int ctx = contextLens[seq];
    int rows = min(PREFILL_ROWS, qe - row0);
    if (rows <= 0) return;
    int pos0 = ctx - (qe - qs) + (row0 - qs); // position of the tile's first row
    int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31;
    const int *table = blockTables + (long long)seq * maxBlocksPerSeq;
    long long slotStride = (long long)numKvHeads * DH;
    long long qStride = (long long)numHeads * DH;

    // Stage Q (bf16, rows past the sequence's end zeroed) through the O buffer into fragments.
    bf16 *Qstage = reinterpret_cast<bf16 *>(Os);
    for (int c = tid; c < PREFILL_ROWS * (DH / 8); c += PREFILL_THREADS) {
        int r = c / (DH / 8), part = c % (DH / 8);
        Bf16x8 v;
        if (r < rows) v = reinterpret_cast<const Bf16x8 *>(query + (row0 + r) * qStride + (long long)h * DH)[part];
        else {
#pragma unroll
            for (int i = 0; i < 4; i++) v.h[i] = __float2bfloat162_rn(0.f);
        }
        *reinterpret_cast<Bf16x8 *>(Qstage + r * T::LDK + part * 8) = v;
    }
    __syncthreads();
    wmma::fragment<wmma::matrix_a, 16, 16, 16, bf16, wmma::row_major> qf[DH / 16];
#pragma unroll
    for (int k = 0; k < DH / 16; k++) wmma::load_matrix_sync(qf[k], Qstage + warp * 16 * T::LDK + k * 16, T::LDK);
    __syncthreads();
    for (int i = tid; i < PREFILL_ROWS * T::LDO; i += PREFILL_THREADS) Os[i] = 0.f;
    if (tid < PREFILL_ROWS) {
        rowM[tid] = -PAGODA_INF;
        rowL[tid] = 0.f;
    }

    int lastKey = pos0 + rows - 1;
    int firstKey = slidingWindow > 0 ? max(0, pos0 - slidingWindow + 1) : 0;
    // Softmax ownership inside a warp: lane pair (2r, 2r+1) handles row warp*16 + r, half the columns each.
    int myRow = warp * 16 + (lane >> 1);
    int colHalf = lane & 1;
    int myPos = pos0 + myRow;
    bool rowValid = myRow < rows;
    int myLo = slidingWindow > 0 ? myPos - slidingWindow + 1 : 0;

    for (int kt0 = (firstKey / KT) * KT; kt0 <= lastKey; kt0 += KT) {
        __syncthreads(); // every warp is done with the previous K/V tile
        load_kv_tiles<DH>(Ks, Vs, keyCache, valueCache, table, blockSize, kt0, ctx, slotStride, kvh);
        __syncthreads();

        // S (this warp's 16 rows x KT) = Q K^T
#pragma unroll
        for (int n = 0; n < KT / 16; n++) {
            wmma::fragment<wmma::accumulator, 16, 16, 16, float> s;
            wmma::fill_fragment(s, 0.f);
#pragma unroll
            for (int k = 0; k < DH / 16; k++) {
                wmma::fragment<wmma::matrix_b, 16, 16, 16, bf16, wmma::col_major> kf;
                wmma::load_matrix_sync(kf, Ks + n * 16 * T::LDK + k * 16, T::LDK);
                wmma::mma_sync(s, qf[k], kf, s);
            }
            wmma::store_matrix_sync(Ss + warp * 16 * T::LDS + n * 16, s, T::LDS, wmma::mem_row_major);
        }
        __syncwarp();

        // Online softmax on the warp's rows; P in bf16 for the second product.
        float *srow = Ss + myRow * T::LDS;
        bf16 *prow = Ps + myRow * T::LDP;
        float mx = -PAGODA_INF;
        for (int c = colHalf; c < KT; c += 2) {
            int key = kt0 + c;
            bool visible = rowValid && key <= myPos && key >= myLo;
            float v = visible ? srow[c] * scale : -PAGODA_INF;
            srow[c] = v;
            mx = fmaxf(mx, v);
        }
        mx = fmaxf(mx, __shfl_xor_sync(PAGODA_FULL_MASK, mx, 1));
        float mOld = rowM[myRow];
        float mNew = fmaxf(mOld, mx);
        float sum = 0.f;
        for (int c = colHalf; c < KT; c += 2) {
            float e = mNew == -PAGODA_INF ? 0.f : expf(srow[c] - mNew);
            prow[c] = __float2bfloat16_rn(e);
            sum += e;
        }
        sum += __shfl_xor_sync(PAGODA_FULL_MASK, sum, 1);
        float alpha = mOld == -PAGODA_INF ? 0.f : expf(mOld - mNew);
        float *orow = Os + myRow * T::LDO;
        for (int c = colHalf; c < DH; c += 2) orow[c] *= alpha;
        __syncwarp();
        if (colHalf == 0) {
            rowM[myRow] = mNew;
            rowL[myRow] = rowL[myRow] * alpha + sum;
        }

        // O (16 x DH) += P (16 x KT) V (KT x DH)
        wmma::fragment<wmma::matrix_a, 16, 16, 16, bf16, wmma::row_major> pf[KT / 16];
#pragma unroll
        for (int k = 0; k < KT / 16; k++) wmma::load_matrix_sync(pf[k], Ps + warp * 16 * T::LDP + k * 16, T::LDP);
#pragma unroll
        for (int n = 0; n < DH / 16; n++) {
            wmma::fragment<wmma::accumulator, 16, 16, 16, float> o;
            float *otile = Os + warp * 16 * T::LDO + n * 16;
            wmma::load_matrix_sync(o, otile, T::LDO, wmma::mem_row_major);
#pragma unroll
            for (int k = 0; k < KT / 16; k++) {
                wmma::fragment<wmma::matrix_b, 16, 16, 16, bf16, wmma::row_major> vf;
                wmma::load_matrix_sync(vf, Vs + k * 16 * T::LDK + n * 16, T::LDK);
                wmma::mma_sync(o, pf[k], vf, o);
            }
            wmma::store_matrix_sync(otile, o, T::LDO, wmma::mem_row_major);
        }
        __syncwarp();
    }

    if (rowValid) {
        float inv = 1.f / rowL[myRow];
        const float *orow = Os + myRow * T::LDO;
        bf16 *dst = out + (row0 + myRow) * qStride + (long long)h * DH;
        for (int c = colHalf * 8; c < DH; c += 16) {
            float o[8];
#pragma unroll
            for (int i = 0; i < 8; i++) o[i] = orow[c + i] * inv;
            *reinterpret_cast<Bf16x8 *>(dst + c) = pack8(o);
        }
    }
}

#define PREFILL_KERNEL(DH)                                                                                       \
    extern "C" __global__ void __launch_bounds__(PREFILL_THREADS) prefill_attention_d##DH(                      \
        const bf16 *__restrict__ query, const bf16 *__restrict__ keyCache, const bf16 *__restrict__ valueCache,  \
        const int *__restrict__ blockTables, const int *__restrict__ queryStart,                                 \
        const int *__restrict__ contextLens, const int *__restrict__ tileSeq, const int *__restrict__ tileRow,   \
        bf16 *__restrict__ out, int numHeads, int numKvHeads, int blockSize, int maxBlocksPerSeq, float scale,   \
        int slidingWindow) {                                                                                     \
        prefill_attention_impl<DH>(query, keyCache, valueCache, blockTables, queryStart, contextLens, tileSeq,   \
                                   tileRow, out, numHeads, numKvHeads, blockSize, maxBlocksPerSeq, scale,        \
                                   slidingWindow);                                                               \
    }

PREFILL_KERNEL(16)
PREFILL_KERNEL(32)
PREFILL_KERNEL(64)
PREFILL_KERNEL(128)
PREFILL_KERNEL(256)
