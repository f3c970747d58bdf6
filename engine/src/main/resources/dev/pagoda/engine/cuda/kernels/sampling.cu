// GPU sampling, one CTA of SAMPLE_THREADS per logits row, with the semantics of
// dev.pagoda.engine.sample.Sampler (after its logit processors):
//   greedy (temperature < 1e-5): argmax, ties to the lowest id;
//   else weights w = exp((l - max) / T) for l >= the k-th largest logit (top-k, ties with the k-th stay),
//   top-p: most likely first, keep while the mass before a token is below p * total (ties by id),
//   min-p: keep w >= min_p (the max token's weight is 1), then one draw from the kept weights.
// Nothing is sorted: thresholds come from 4-pass radix selections (8 bits a pass) over the row,
// with counts for top-k and fixed-point masses for top-p (integer atomics: order-independent, so a
// row's result never depends on scheduling). The draw is an exponential race (Gumbel-max):
// argmin E_i / w_i with E_i ~ Exp(1) from Philox4x32-10 keyed by the row's seed, counter = (token
// group, counters[r]): a request's draw depends only on its own (seed, counter) and logits.
// Structured output: a row r with maskRows[r] >= 0 may only draw the tokens whose bit is set in its
// bitmask, maskWords[maskRows[r] * maskStride ...] (bit i & 31 of word i >> 5); every other token
// counts as a -inf logit in every pass. maskRows null or -1: no mask.
// A row with no finite logit yields -1.
#include "common.cuh"

#define SAMPLE_THREADS 1024
#define GREEDY_EPS 1e-5f
#define MASS_ONE 1099511627776.0f // 2^40: fixed-point unit of a weight (weights are <= 1)

// (Vector values are brace-initialised so nothing depends on vector_functions.h, which NVRTC
// does not get from cuda_runtime.h as nvcc does.)
// float bits -> unsigned key whose order is the float order; NaN ranks below everything.
__device__ __forceinline__ unsigned order_key(float f) {
    if (f != f) return 0u;
    unsigned b = __float_as_uint(f);
    return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

__device__ __forceinline__ float key_to_float(unsigned k) {
    return __uint_as_float((k & 0x80000000u) ? (k & 0x7fffffffu) : ~k);
}

__device__ __forceinline__ unsigned long long mass_of(float w) { return (unsigned long long)(w * MASS_ONE); }

// Philox4x32-10 (Salmon et al., Random123).
__device__ __forceinline__ uint4 philox(uint4 c, uint2 k) {
#pragma unroll
    for (int r = 0; r < 10; r++) {
        unsigned hi0 = __umulhi(0xD2511F53u, c.x), lo0 = 0xD2511F53u * c.x;
        unsigned hi1 = __umulhi(0xCD9E8D57u, c.z), lo1 = 0xCD9E8D57u * c.z;
        c = uint4{hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0};
        k.x += 0x9E3779B9u;
        k.y += 0xBB67AE85u;
    }
    return c;
}

// Exp(1) variate from 32 random bits: -log(1 - v), v in (0, 1) with fine resolution near 0 so
// that E is never 0 (a zero would let a token win whatever its weight).
__device__ __forceinline__ float exponential(unsigned x) {
    float v = ((float)x + 0.5f) * 2.3283064365386963e-10f;
    return -log1pf(-v);
}

// Walks the 256 digit bins from the top and returns the digit where the running total reaches
// `need`; *before gets the total of the bins above it. One warp; bins in shared memory.
template <typename T>
__device__ __forceinline__ int select_digit_desc(const T *hist, T need, T *before) {
    int lane = threadIdx.x & 31;
    // lane l holds bins 255-8l .. 248-8l
    T local = 0;
#pragma unroll
    for (int i = 0; i < 8; i++) local += hist[255 - 8 * lane - i];
    T incl = local;
#pragma unroll
    for (int o = 1; o < 32; o <<= 1) {
        T n = __shfl_up_sync(PAGODA_FULL_MASK, incl, o);
        if (lane >= o) incl += n;
    }
    T excl = incl - local;
    unsigned ballot = __ballot_sync(PAGODA_FULL_MASK, incl >= need);
    int owner = ballot ? __ffs(ballot) - 1 : 31; // never reached: the lowest bin
    T run = __shfl_sync(PAGODA_FULL_MASK, excl, owner);
    int digit = 248 - 8 * owner;
    for (int i = 0; i < 8; i++) {
        int d = 255 - 8 * owner - i;
        if (run + hist[d] >= need || i == 7) {
            digit = d;
            break;
        }
        run += hist[d];
    }
    *before = run;
    return digit;
}

struct SampleShared {
    unsigned count[256];
    unsigned long long mass[256];
    float fScratch[32];
    int iScratch[32];
    unsigned long long uScratch[32];
    unsigned prefix;
    unsigned long long before;
    unsigned long long tieMass;
    unsigned tieCount;
    int cutoffId;
};

// Warp argmax (or argmin) of (value, id), ties to the lower id; every lane ends with the winner.
__device__ __forceinline__ void warp_argbest(float &v, int &id, bool wantMax) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
        float ov = __shfl_xor_sync(PAGODA_FULL_MASK, v, o);
        int oid = __shfl_xor_sync(PAGODA_FULL_MASK, id, o);
        bool better = wantMax ? (ov > v) : (ov < v);
        if (better || (ov == v && oid < id)) {
            v = ov;
            id = oid;
        }
    }
}

// Block argmax of (value, id), ties to the lower id; every thread gets the winner.
__device__ __forceinline__ int block_argbest(float v, int id, bool wantMax, SampleShared &sh) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    warp_argbest(v, id, wantMax);
    __syncthreads();
    if (lane == 0) {
        sh.fScratch[warp] = v;
        sh.iScratch[warp] = id;
    }
    __syncthreads();
    int warps = (blockDim.x + 31) >> 5;
    v = lane < warps ? sh.fScratch[lane] : (wantMax ? -PAGODA_INF : PAGODA_INF);
    id = lane < warps ? sh.iScratch[lane] : 0x7fffffff;
    warp_argbest(v, id, wantMax);
    return id;
}

__device__ __forceinline__ unsigned long long block_sum_u64(unsigned long long v, SampleShared &sh) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(PAGODA_FULL_MASK, v, o);
    __syncthreads();
    if (lane == 0) sh.uScratch[warp] = v;
    __syncthreads();
    v = lane < ((blockDim.x + 31) >> 5) ? sh.uScratch[lane] : 0ull;
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(PAGODA_FULL_MASK, v, o);
    return v;
}

// The row's logit of token i, -inf where the row's bitmask (null: none) does not allow it.
__device__ __forceinline__ float logit_at(const float *row, const unsigned *allowed, int i) {
    float v = row[i];
    return (allowed == nullptr || ((allowed[i >> 5] >> (i & 31)) & 1u)) ? v : -PAGODA_INF;
}

__device__ __forceinline__ float weight_of(float l, float max, float invT, float threshold) {
    return (l >= threshold) ? expf((l - max) * invT) : 0.f; // NaN compares false -> 0
}

// The k-th largest logit (duplicates counted), by radix selection on order keys.
__device__ __forceinline__ float kth_largest(const float *row, const unsigned *allowed, int vocab, unsigned k, SampleShared &sh) {
    unsigned prefix = 0, mask = 0;
    for (int shift = 24; shift >= 0; shift -= 8) {
        for (int i = threadIdx.x; i < 256; i += blockDim.x) sh.count[i] = 0;
        __syncthreads();
        for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
            unsigned key = order_key(logit_at(row, allowed, i));
            if ((key & mask) == prefix) atomicAdd(&sh.count[(key >> shift) & 255u], 1u);
        }
        __syncthreads();
        if (threadIdx.x < 32) {
            unsigned before;
            int digit = select_digit_desc<unsigned>(sh.count, k, &before);
            if (threadIdx.x == 0) {
                sh.prefix = prefix | ((unsigned)digit << shift);
                sh.before = before;
            }
        }
        __syncthreads();
        prefix = sh.prefix;
        k -= (unsigned)sh.before;
        mask |= 255u << shift;
    }
    return key_to_float(prefix);
}

extern "C" __global__ void __launch_bounds__(SAMPLE_THREADS, 1)
    sample_tokens(const float *__restrict__ logits, int vocab, const float *__restrict__ temperature,
                  const int *__restrict__ topK, const float *__restrict__ topP, const float *__restrict__ minP,
                  const long long *__restrict__ seeds, const int *__restrict__ counters, const int *__restrict__ maskRows,
                  const unsigned *__restrict__ maskWords, int maskStride, int *__restrict__ outTokens) {
    __shared__ SampleShared sh;
    int r = blockIdx.x;
    const float *row = logits + (long long)r * vocab;
    int maskRow = maskRows == nullptr ? -1 : maskRows[r];
    const unsigned *allowed = maskRow < 0 ? nullptr : maskWords + (long long)maskRow * maskStride;
    int tid = threadIdx.x;

    // max and its lowest id
    float best = -PAGODA_INF;
    int bestId = 0x7fffffff;
    for (int i = tid; i < vocab; i += blockDim.x) {
        float v = logit_at(row, allowed, i);
        if (v > best) { // strict: each thread visits ids in increasing order
            best = v;
            bestId = i;
        }
    }
    int argmax = block_argbest(best, bestId, true, sh);
    if (argmax == 0x7fffffff) { // every logit -inf or NaN
        if (tid == 0) outTokens[r] = -1;
        return;
    }
    float max = logit_at(row, allowed, argmax);
    float t = temperature[r];
    if (t < GREEDY_EPS) {
        if (tid == 0) outTokens[r] = argmax;
        return;
    }
    float invT = 1.f / t;
    int k = topK[r];
    float threshold = (k > 0 && k < vocab) ? kth_largest(row, allowed, vocab, (unsigned)k, sh) : -PAGODA_INF;
    float p = topP[r];
    float mp = minP[r];

    // top-p: w* = the largest weight whose "mass at or above" reaches p * total; ties at w* kept in id order.
    float wStar = 0.f;
    int cutoffId = vocab;
    if (p < 1.f) {
        unsigned long long total = 0;
        for (int i = tid; i < vocab; i += blockDim.x) total += mass_of(weight_of(logit_at(row, allowed, i), max, invT, threshold));
        total = block_sum_u64(total, sh);
        unsigned long long target = (unsigned long long)((double)p * (double)total);
        if (target == 0) target = 1; // the most likely token always stays
        unsigned prefix = 0, mask = 0;
        unsigned long long need = target;
        for (int shift = 24; shift >= 0; shift -= 8) {
            for (int i = tid; i < 256; i += blockDim.x) {
                sh.count[i] = 0;
                sh.mass[i] = 0;
            }
            __syncthreads();
            for (int i = tid; i < vocab; i += blockDim.x) {
                float w = weight_of(logit_at(row, allowed, i), max, invT, threshold);
                unsigned bits = __float_as_uint(w);
                if (w > 0.f && (bits & mask) == prefix) {
                    unsigned d = (bits >> shift) & 255u;
                    atomicAdd(&sh.mass[d], mass_of(w));
                    atomicAdd(&sh.count[d], 1u);
                }
            }
            __syncthreads();
            if (tid < 32) {
                unsigned long long before;
                int digit = select_digit_desc<unsigned long long>(sh.mass, need, &before);
                if (tid == 0) {
                    sh.prefix = prefix | ((unsigned)digit << shift);
                    sh.before = before;
                    sh.tieMass = sh.mass[digit];
                    sh.tieCount = sh.count[digit];
                }
            }
            __syncthreads();
            prefix = sh.prefix;
            need -= sh.before;
            mask |= 255u << shift;
        }
        wStar = __uint_as_float(prefix);
        unsigned tieCount = sh.tieCount;
        unsigned long long unit = mass_of(wStar);
        // ties t = 0, 1, ... stay while massAbove + t * w* < target, i.e. t < need / w*
        unsigned long long kept = unit == 0 ? tieCount : (need + unit - 1) / unit;
        if (kept < 1) kept = 1;
        if (kept < tieCount) {
            // Rare (tied weights straddle the boundary): find the id of the kept-th tie. Each thread
            // counts the ties in one contiguous id range; a scan over threads locates the range.
            int per = (vocab + blockDim.x - 1) / blockDim.x;
            int lo = tid * per, hi = min(vocab, lo + per);
            unsigned mine = 0;
            for (int i = lo; i < hi; i++) mine += weight_of(logit_at(row, allowed, i), max, invT, threshold) == wStar;
            // inclusive scan of the per-thread counts: within warps, then warp totals in order
            int lane = tid & 31, warp = tid >> 5;
            unsigned incl = mine;
            for (int o = 1; o < 32; o <<= 1) {
                unsigned n = __shfl_up_sync(PAGODA_FULL_MASK, incl, o);
                if (lane >= o) incl += n;
            }
            __syncthreads();
            if (lane == 31) sh.iScratch[warp] = (int)incl;
            __syncthreads();
            unsigned warpBase = 0;
            for (int w = 0; w < warp; w++) warpBase += (unsigned)sh.iScratch[w];
            unsigned start = warpBase + incl - mine; // ties before this thread's range
            if (tid == 0) sh.cutoffId = vocab;
            __syncthreads();
            if (start < kept && start + mine >= kept) {
                unsigned seen = start;
                for (int i = lo; i < hi; i++) {
                    if (weight_of(logit_at(row, allowed, i), max, invT, threshold) == wStar && ++seen == kept) {
                        sh.cutoffId = i;
                        break;
                    }
                }
            }
            __syncthreads();
            cutoffId = sh.cutoffId;
        }
    }

    // The draw: exponential race over the kept tokens, four tokens per Philox call.
    unsigned long long seed = (unsigned long long)seeds[r];
    uint2 key = uint2{(unsigned)seed, (unsigned)(seed >> 32)};
    unsigned ctr = (unsigned)counters[r];
    float bestScore = PAGODA_INF;
    int bestTok = 0x7fffffff;
    for (int g = tid; g < (vocab + 3) / 4; g += blockDim.x) {
        float w[4];
        bool any = false;
#pragma unroll
        for (int j = 0; j < 4; j++) {
            int i = 4 * g + j;
            float wi = i < vocab ? weight_of(logit_at(row, allowed, i), max, invT, threshold) : 0.f;
            bool keep = wi > 0.f && (p >= 1.f || wi > wStar || (wi == wStar && i <= cutoffId)) && (mp <= 0.f || wi >= mp);
            w[j] = keep ? wi : 0.f;
            any |= keep;
        }
        if (!any) continue;
        uint4 rnd = philox(uint4{(unsigned)g, ctr, 0x7a9f3c1du, 0u}, key);
#pragma unroll
        for (int j = 0; j < 4; j++) {
            if (w[j] > 0.f) {
                unsigned bits = j == 0 ? rnd.x : j == 1 ? rnd.y : j == 2 ? rnd.z : rnd.w;
                float score = exponential(bits) / w[j];
                if (score < bestScore) {
                    bestScore = score;
                    bestTok = 4 * g + j;
                }
            }
        }
    }
    int tok = block_argbest(bestScore, bestTok, false, sh);
    if (tid == 0) outTokens[r] = tok == 0x7fffffff ? -1 : tok;
}
