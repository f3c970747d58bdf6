// What both decode attention kernels (decode_attention.cu, decode_attention_v2.cu) agree on: the
// keys and query heads a CTA covers: decode sequence d, KV head x head chunk, split blockIdx.z.
#pragma once
#include "common.cuh"

// First and last split holding keys of a sequence of ctx tokens (sliding window lo..ctx-1).
__device__ __forceinline__ void active_splits(int ctx, int slidingWindow, int partitionLen, int &first, int &last) {
    int lo = slidingWindow > 0 ? max(0, ctx - slidingWindow) : 0;
    first = lo / partitionLen;
    last = (ctx - 1) / partitionLen;
}

struct DecodeItem {
    bool active;          // false: this split holds no key of the sequence and the CTA exits
    int seq, ctx;         // sequence index and its tokens in cache
    int first, last;      // its non-empty splits; first == last: the CTA writes the output itself
    int begin, end;       // this CTA's keys [begin, end)
    int kvh, h0, nh;      // KV head, first query head, query heads served (<= headsPerCta)
    long long tokenRow;   // row of the sequence's query token
};

// d: index into decodeSeqs; headItem: KV head * head chunks + chunk. The query row is loaded with
// the context length (not after it) to keep the CTA's chain of dependent loads short.
__device__ __forceinline__ DecodeItem decode_item(const int *__restrict__ decodeSeqs, const int *__restrict__ contextLens,
                                                  const int *__restrict__ queryStart, int d, int headItem, int numHeads,
                                                  int numKvHeads, int headsPerCta, int slidingWindow, int partitionLen) {
    DecodeItem w;
    w.seq = decodeSeqs[d];
    w.ctx = contextLens[w.seq];
    w.tokenRow = queryStart[w.seq];
    int split = blockIdx.z;
    active_splits(w.ctx, slidingWindow, partitionLen, w.first, w.last);
    w.active = w.ctx > 0 && split >= w.first && split <= w.last;
    int lo = slidingWindow > 0 ? max(0, w.ctx - slidingWindow) : 0;
    w.begin = max(split * partitionLen, lo);
    w.end = min(w.ctx, (split + 1) * partitionLen);
    int groupSize = numHeads / numKvHeads;
    int chunks = (groupSize + headsPerCta - 1) / headsPerCta;
    w.kvh = headItem / chunks;
    w.h0 = w.kvh * groupSize + (headItem % chunks) * headsPerCta;
    w.nh = min(headsPerCta, groupSize - (headItem % chunks) * headsPerCta);
    return w;
}
