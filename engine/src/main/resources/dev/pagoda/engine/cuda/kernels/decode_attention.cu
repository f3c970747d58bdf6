// Paged decode attention (one query token per sequence), GQA-aware and split over the KV length.
//
// grid (numDecodeSeqs, numKvHeads * groupChunks, numSplits), 256 threads. A CTA serves up to GMAX
// query heads sharing one KV head, over the keys [split * partitionLen, (split + 1) * partitionLen)
// of one sequence, so each K/V row is read from memory once per KV group (not once per query head).
// A key row of DH bf16 is read by DH/8 lanes with one 16-byte load each (a "key group"), so one
// warp-wide load instruction fetches 512 bytes: 32/(DH/8) whole rows.
//
// The partition is walked in chunks of DECODE_CHUNK keys: (1) q.k for the chunk into shared memory,
// (2) the chunk's max and exp per head with the running max/sum rescaled once per chunk (online
// softmax at chunk granularity, no per-key branches), (3) p.v accumulated in registers.
//
// CTAs of splits outside [window start, context) exit at once, so the grid depends only on
// maxBlocksPerSeq (CUDA-graph safe). When one split covers a sequence, the CTA writes the output
// directly; otherwise partial (max, sum, unnormalised acc) go to the workspace and
// decode_attention_reduce merges them.
//
// Workspace (floats), n = gridDim.x: acc [n][numHeads][numSplits][DH], then max [n][numHeads][numSplits],
// then sum [n][numHeads][numSplits].
#include "decode_common.cuh"

#define DECODE_THREADS 256
#define DECODE_CHUNK 512

// Sums N per-lane partial values across the L lanes of a key group, transposing as it halves:
// N/2 + N/4 + ... shuffles instead of N * log2(L). Afterwards v[0] holds the full sum for the head
// returned; lanes with gl % (L/N) == 0 are one writer per head. Needs N <= L.
template <int N, int L>
__device__ __forceinline__ int transpose_reduce(float (&v)[N], int gl) {
    int head = 0;
#pragma unroll
    for (int cnt = N / 2, off = L / 2; cnt >= 1; cnt /= 2, off /= 2) {
        bool upper = (gl & off) != 0;
#pragma unroll
        for (int i = 0; i < cnt; i++) {
            float send = upper ? v[i] : v[i + cnt];
            float keep = upper ? v[i + cnt] : v[i];
            v[i] = keep + __shfl_xor_sync(PAGODA_FULL_MASK, send, off);
        }
        if (upper) head += cnt;
    }
#pragma unroll
    for (int off = L / (2 * N); off >= 1; off /= 2) v[0] += __shfl_xor_sync(PAGODA_FULL_MASK, v[0], off);
    return head;
}

// This lane's 16 bytes of the U key (or value) rows j = base + group + u * GROUPS of a chunk, all
// loads issued before any is used; rows at or past n are left unread. blk holds the chunk's block
// ids from firstBlock on.
template <int U, int GROUPS>
__device__ __forceinline__ void load_chunk_rows(Bf16x8 (&rows)[U], const bf16 *rowBase, const int *blk, int base,
                                                int group, int n, int cb, int firstBlock, int blockSize,
                                                long long slotStride) {
#pragma unroll
    for (int u = 0; u < U; u++) {
        int j = base + group + u * GROUPS;
        if (j < n) {
            int key = cb + j;
            long long slot = (long long)blk[key / blockSize - firstBlock] * blockSize + key % blockSize;
            rows[u] = *reinterpret_cast<const Bf16x8 *>(rowBase + slot * slotStride);
        }
    }
}

template <int DH, int GMAX>
__device__ __forceinline__ void decode_attention_impl(
    const bf16 *__restrict__ query, const bf16 *__restrict__ keyCache, const bf16 *__restrict__ valueCache,
    const int *__restrict__ blockTables, const int *__restrict__ queryStart, const int *__restrict__ contextLens,
    const int *__restrict__ decodeSeqs, bf16 *__restrict__ out, float *__restrict__ workspace, int numHeads,
    int numKvHeads, int blockSize, int maxBlocksPerSeq, float scale, int slidingWindow, int partitionLen,
    int numSplits) {
    constexpr int L = DH / 8;               // lanes per key row
    constexpr int GROUPS = DECODE_THREADS / L; // key rows in flight per CTA per load
    constexpr int WARPS = DECODE_THREADS / 32;
    // K/V rows each thread has in flight per round. GMAX 4 (Llama-3, Qwen3, Mistral) takes 4 so it
    // fits 128 registers and two CTAs (16 warps) per SM; GMAX 8 has one CTA per SM either way and
    // takes 8 to keep as many bytes in flight.
    constexpr int DECODE_UNROLL = GMAX == 4 ? 4 : 8;
    static_assert(GMAX <= L, "transpose_reduce needs GMAX <= DH/8");
    __shared__ float p[DECODE_CHUNK * GMAX]; // [key][head]: scores, then probabilities
    __shared__ float rowMax[GMAX], rowSum[GMAX], rowAlpha[GMAX];
    __shared__ float obuf[GMAX * DH];
    __shared__ int blk[DECODE_CHUNK + 1]; // the chunk's block ids (block size 1 at worst)

    DecodeItem w = decode_item(decodeSeqs, contextLens, queryStart, blockIdx.x, blockIdx.y, numHeads, numKvHeads, GMAX,
                               slidingWindow, partitionLen);
    if (!w.active) return; // CTA-uniform
    int d = blockIdx.x, split = blockIdx.z, seq = w.seq;
    int first = w.first, last = w.last, begin = w.begin, end = w.end, kvh = w.kvh, h0 = w.h0, nh = w.nh;
    int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
    int gl = tid % L, group = tid / L;
    long long tokenRow = w.tokenRow;

    // q stays packed bf16 (exact, half the registers of f32) and is widened per use: the
    // registers go to more K/V loads in flight instead.
    Bf16x8 q[GMAX];
    const bf16 *qrow = query + tokenRow * numHeads * DH;
#pragma unroll
    for (int h = 0; h < GMAX; h++) {
        if (h < nh) q[h] = reinterpret_cast<const Bf16x8 *>(qrow + (h0 + h) * DH)[gl];
        else {
#pragma unroll
            for (int i = 0; i < 4; i++) q[h].h[i] = __float2bfloat162_rn(0.f);
        }
    }
    float acc[GMAX][8];
#pragma unroll
    for (int h = 0; h < GMAX; h++)
#pragma unroll
        for (int i = 0; i < 8; i++) acc[h][i] = 0.f;
    if (tid < GMAX) {
        rowMax[tid] = -PAGODA_INF;
        rowSum[tid] = 0.f;
    }
    const int *table = blockTables + (long long)seq * maxBlocksPerSeq;
    long long slotStride = (long long)numKvHeads * DH; // elements from one slot to the next
    const bf16 *kBase = keyCache + kvh * DH + gl * 8;
    const bf16 *vBase = valueCache + kvh * DH + gl * 8;
    __syncthreads();

    for (int cb = begin; cb < end; cb += DECODE_CHUNK) {
        int n = min(DECODE_CHUNK, end - cb);
        // The chunk's block-table entries go to shared memory once, so a K/V load does not wait
        // on a dependent global load of its block id (and V reuses them).
        int firstBlock = cb / blockSize;
        for (int i = tid; i <= (cb + n - 1) / blockSize - firstBlock; i += DECODE_THREADS) blk[i] = table[firstBlock + i];
        __syncthreads();
        // (1) scores; the loop bounds are CTA-uniform so every lane joins the shuffles
        for (int base = 0; base < n; base += GROUPS * DECODE_UNROLL) {
            Bf16x8 kv[DECODE_UNROLL];
            load_chunk_rows<DECODE_UNROLL, GROUPS>(kv, kBase, blk, base, group, n, cb, firstBlock, blockSize, slotStride);
#pragma unroll
            for (int u = 0; u < DECODE_UNROLL; u++) {
                int j = base + group + u * GROUPS;
                if (base + u * GROUPS >= n) break; // uniform: no group of this round has a key
                float k[8];
                if (j < n) unpack8(kv[u], k);
                else {
#pragma unroll
                    for (int i = 0; i < 8; i++) k[i] = 0.f;
                }
                float s[GMAX];
#pragma unroll
                for (int h = 0; h < GMAX; h++) {
                    float qf[8];
                    unpack8(q[h], qf);
                    float a = 0.f;
#pragma unroll
                    for (int i = 0; i < 8; i++) a = fmaf(qf[i], k[i], a);
                    s[h] = a;
                }
                int head = transpose_reduce<GMAX, L>(s, gl);
                if (j < n && gl % (L / GMAX) == 0 && head < nh) p[j * GMAX + head] = s[0] * scale;
            }
        }
        __syncthreads();
        // (2) chunk max, probabilities, running statistics
        for (int h = warp; h < nh; h += WARPS) {
            float mx = -PAGODA_INF;
            for (int j = lane; j < n; j += 32) mx = fmaxf(mx, p[j * GMAX + h]);
            mx = warp_max(mx);
            float mOld = rowMax[h];
            float mNew = fmaxf(mOld, mx);
            float sum = 0.f;
            for (int j = lane; j < n; j += 32) {
                float e = expf(p[j * GMAX + h] - mNew);
                p[j * GMAX + h] = e;
                sum += e;
            }
            sum = warp_sum(sum);
            if (lane == 0) {
                float alpha = expf(mOld - mNew); // 0 on the first chunk (mOld = -inf)
                rowAlpha[h] = alpha;
                rowSum[h] = rowSum[h] * alpha + sum;
                rowMax[h] = mNew;
            }
        }
        __syncthreads();
        // (3) acc = acc * alpha + p . v
#pragma unroll
        for (int h = 0; h < GMAX; h++) {
            float alpha = h < nh ? rowAlpha[h] : 0.f;
#pragma unroll
            for (int i = 0; i < 8; i++) acc[h][i] *= alpha;
        }
        for (int base = 0; base < n; base += GROUPS * DECODE_UNROLL) {
            Bf16x8 vv[DECODE_UNROLL];
            load_chunk_rows<DECODE_UNROLL, GROUPS>(vv, vBase, blk, base, group, n, cb, firstBlock, blockSize, slotStride);
#pragma unroll
            for (int u = 0; u < DECODE_UNROLL; u++) {
                int j = base + group + u * GROUPS;
                if (j >= n) break;
                float v[8];
                unpack8(vv[u], v);
#pragma unroll
                for (int h = 0; h < GMAX; h++) {
                    float pj = h < nh ? p[j * GMAX + h] : 0.f;
#pragma unroll
                    for (int i = 0; i < 8; i++) acc[h][i] = fmaf(pj, v[i], acc[h][i]);
                }
            }
        }
        __syncthreads(); // p is overwritten by the next chunk
    }

    // Key groups of a warp hold the same dims: sum them, then warps in a fixed order.
#pragma unroll
    for (int off = L; off < 32; off <<= 1)
#pragma unroll
        for (int h = 0; h < GMAX; h++)
#pragma unroll
            for (int i = 0; i < 8; i++) acc[h][i] += __shfl_xor_sync(PAGODA_FULL_MASK, acc[h][i], off);
    for (int w = 0; w < WARPS; w++) {
        if (warp == w && lane < L) {
#pragma unroll
            for (int h = 0; h < GMAX; h++) {
                if (h < nh) {
#pragma unroll
                    for (int i = 0; i < 8; i++) {
                        float *o = &obuf[h * DH + gl * 8 + i];
                        *o = w == 0 ? acc[h][i] : *o + acc[h][i];
                    }
                }
            }
        }
        __syncthreads();
    }

    if (first == last) {
        bf16 *orow = out + tokenRow * numHeads * DH;
        for (int idx = tid; idx < nh * DH; idx += DECODE_THREADS) {
            int h = idx / DH;
            orow[(h0 + h) * DH + idx % DH] = __float2bfloat16_rn(obuf[idx] / rowSum[h]);
        }
    } else {
        long long stats = (long long)gridDim.x * numHeads * numSplits;
        float *wsAcc = workspace, *wsMax = workspace + stats * DH, *wsSum = wsMax + stats;
        for (int idx = tid; idx < nh * DH; idx += DECODE_THREADS) {
            int h = idx / DH;
            long long at = ((long long)d * numHeads + h0 + h) * numSplits + split;
            wsAcc[at * DH + idx % DH] = obuf[idx];
        }
        if (tid < nh) {
            long long at = ((long long)d * numHeads + h0 + tid) * numSplits + split;
            wsMax[at] = rowMax[tid];
            wsSum[at] = rowSum[tid];
        }
    }
}

// One CTA per SM for GMAX 8 (its registers fill the file); two for the smaller tiles.
#define DECODE_KERNEL(DH, GMAX)                                                                              \
    extern "C" __global__ void __launch_bounds__(DECODE_THREADS, (GMAX) <= 4 ? 2 : 1)                        \
        decode_attention_d##DH##_g##GMAX(                                                                    \
            const bf16 *__restrict__ query, const bf16 *__restrict__ keyCache,                               \
            const bf16 *__restrict__ valueCache, const int *__restrict__ blockTables,                        \
            const int *__restrict__ queryStart, const int *__restrict__ contextLens,                         \
            const int *__restrict__ decodeSeqs, bf16 *__restrict__ out, float *__restrict__ workspace,       \
            int numHeads, int numKvHeads, int blockSize, int maxBlocksPerSeq, float scale, int slidingWindow, \
            int partitionLen, int numSplits) {                                                               \
        decode_attention_impl<DH, GMAX>(query, keyCache, valueCache, blockTables, queryStart, contextLens,   \
                                        decodeSeqs, out, workspace, numHeads, numKvHeads, blockSize,         \
                                        maxBlocksPerSeq, scale, slidingWindow, partitionLen, numSplits);     \
    }

// Small heads (test fixtures, tiny models): a key row is 2 or 4 lanes, so at most 2 or 4 heads per CTA.
DECODE_KERNEL(16, 1)
DECODE_KERNEL(16, 2)
DECODE_KERNEL(32, 1)
DECODE_KERNEL(32, 2)
DECODE_KERNEL(32, 4)
DECODE_KERNEL(64, 1)
DECODE_KERNEL(64, 2)
DECODE_KERNEL(64, 4)
DECODE_KERNEL(64, 8)
DECODE_KERNEL(128, 1)
DECODE_KERNEL(128, 2)
DECODE_KERNEL(128, 4)
DECODE_KERNEL(128, 8)
DECODE_KERNEL(256, 1)
DECODE_KERNEL(256, 2)
DECODE_KERNEL(256, 4)
DECODE_KERNEL(256, 8)

// Merges the splits of sequences that needed more than one: out = sum_s e^(m_s - M) acc_s / sum_s e^(m_s - M) l_s.
// grid (numDecodeSeqs, numHeads), 128 threads; launch after decode_attention_* with the same grid.x.
extern "C" __global__ void decode_attention_reduce(const float *__restrict__ workspace,
                                                   const int *__restrict__ queryStart,
                                                   const int *__restrict__ contextLens,
                                                   const int *__restrict__ decodeSeqs, bf16 *__restrict__ out,
                                                   int numHeads, int headDim, int slidingWindow, int partitionLen,
                                                   int numSplits) {
    int d = blockIdx.x, h = blockIdx.y;
    int seq = decodeSeqs[d];
    int ctx = contextLens[seq];
    int first, last;
    active_splits(ctx, slidingWindow, partitionLen, first, last);
    if (ctx <= 0 || first == last) return;
    long long stats = (long long)gridDim.x * numHeads * numSplits;
    const float *wsAcc = workspace, *wsMax = workspace + stats * headDim, *wsSum = wsMax + stats;
    long long base = ((long long)d * numHeads + h) * numSplits;
    float m = -PAGODA_INF;
    for (int s = first; s <= last; s++) m = fmaxf(m, wsMax[base + s]);
    float total = 0.f;
    for (int s = first; s <= last; s++) total += expf(wsMax[base + s] - m) * wsSum[base + s];
    bf16 *orow = out + (long long)queryStart[seq] * numHeads * headDim + (long long)h * headDim;
    for (int i = threadIdx.x; i < headDim; i += blockDim.x) {
        float o = 0.f;
        for (int s = first; s <= last; s++) o += expf(wsMax[base + s] - m) * wsAcc[(base + s) * headDim + i];
        orow[i] = __float2bfloat16_rn(o / total);
    }
}
