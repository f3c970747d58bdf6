// Tensor-core and asynchronous-copy building blocks (sm_80+) shared by the pipelined attention
// kernels (decode_attention_v2.cu, prefill_attention_v2.cu): cp.async global -> shared copies,
// ldmatrix fragment loads from XOR-swizzled tiles, and mma.m16n8k16 bf16 -> f32.
//
// Fragment layout of mma.m16n8k16 (lane = 4 quad + inQuad): A (16x16, row) a0 = [quad][2 inQuad + {0,1}],
// a1 = row + 8, a2 = col + 8, a3 = both; B (16x8, col) b0 = [k 2 inQuad + {0,1}][n quad], b1 = k + 8;
// C (16x8 f32) c0,c1 = [quad][2 inQuad + {0,1}], c2,c3 = row + 8.
#pragma once
#include "common.cuh"

__device__ __forceinline__ unsigned smem_addr(const void *p) {
    unsigned a;
    asm("{ .reg .u64 t; cvta.to.shared.u64 t, %1; cvt.u32.u64 %0, t; }" : "=r"(a) : "l"(p));
    return a;
}

// 16 bytes global -> shared, bypassing L1 (each K/V byte is read once); bytes 0 zero-fills.
__device__ __forceinline__ void cp_async16(unsigned dst, const void *src, int bytes) {
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;" ::"r"(dst), "l"(src), "r"(bytes) : "memory");
}

__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;" ::: "memory"); }

template <int N> __device__ __forceinline__ void cp_async_wait() {
    asm volatile("cp.async.wait_group %0;" ::"n"(N) : "memory");
}

__device__ __forceinline__ void ldmatrix_x4(unsigned (&r)[4], unsigned addr) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(addr));
}

__device__ __forceinline__ void ldmatrix_x4_trans(unsigned (&r)[4], unsigned addr) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(addr));
}

// d += a (16x16 bf16, row) . b (16x8 bf16, col), f32 accumulation.
__device__ __forceinline__ void mma_bf16_16816(float (&d)[4], const unsigned (&a)[4], unsigned b0, unsigned b1) {
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
                 "{%0, %1, %2, %3};"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

// 2^x on the special-function unit, denormal results flushed to 0 (softmax weights that small
// vanish beside the row's largest, which is 1).
__device__ __forceinline__ float exp2_approx(float x) {
    float y;
    asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(y) : "f"(x));
    return y;
}

// lo in the low half (the lower column of a fragment pair), round-to-nearest-even.
__device__ __forceinline__ unsigned pack_bf16x2(float lo, float hi) {
    __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);
    return *reinterpret_cast<unsigned *>(&v);
}

// Element offset of 16-byte chunk c of row r inside a tile of DH-element bf16 rows: chunks are
// XOR-swizzled by row so that the 8 rows an ldmatrix phase reads (and the copies write) fall into
// 8 different bank groups. Rows narrower than 128 bytes swizzle with a shorter period.
template <int DH> __device__ __forceinline__ int swizzled_offset(int r, int c) {
    constexpr int CPR = DH / 8;             // 16-byte chunks per row
    constexpr int SWZ = CPR < 8 ? CPR : 8;  // swizzle period
    return r * DH + ((c ^ ((r / (8 / SWZ)) % SWZ)) * 8);
}
