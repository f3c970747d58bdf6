package dev.pagoda.engine.cuda.kernels;

import dev.pagoda.engine.cuda.CudaFunction;
import dev.pagoda.engine.cuda.CudaStream;
import dev.pagoda.engine.cuda.Dim3;
import dev.pagoda.engine.cuda.KernelArgs;
import java.util.List;

/** Bias, q/k norm, RoPE and the K/V cache write fused after the QKV projection; one CTA per token. */
final class QkvRopeCacheKernel {

    static final KernelSource SOURCE = new KernelSource("qkv_rope_cache.cu", List.of("qkv_rope_cache"));
    /** The kernel's shared cos/sin tables hold 256 frequencies. */
    static final int MAX_HEAD_DIM = 512;
    private static final int THREADS = 256;

    private final CudaFunction function;
    private final KernelArgs args = new KernelArgs(16);

    QkvRopeCacheKernel(LoadedKernels kernels) {
        function = kernels.function("qkv_rope_cache");
    }

    void launch(CudaStream s, CudaKernels.AttentionGeometry g, CudaKernels.QkvRopeCache a) {
        if (g.headDim() > MAX_HEAD_DIM) {
            throw new IllegalArgumentException("qkvRopeCache supports head_dim <= " + MAX_HEAD_DIM + ", got " + g.headDim());
        }
        Checks.nonNegative(a.tokens(), "qkvRopeCache tokens");
        Checks.pointer(a.qkv(), "qkvRopeCache qkv");
        Checks.pointer(a.positions(), "qkvRopeCache positions");
        Checks.pointer(a.invFreq(), "qkvRopeCache invFreq");
        Checks.pointer(a.slotMapping(), "qkvRopeCache slotMapping");
        Checks.pointer(a.query(), "qkvRopeCache query");
        Checks.pointer(a.keyCache(), "qkvRopeCache keyCache");
        Checks.pointer(a.valueCache(), "qkvRopeCache valueCache");
        if (a.tokens() == 0) return;
        args.reset().ptr(a.qkv()).ptr(a.bias()).ptr(a.qNorm()).ptr(a.kNorm()).ptr(a.positions()).ptr(a.invFreq())
                .f32(a.attentionFactor()).ptr(a.slotMapping()).ptr(a.query()).ptr(a.keyCache()).ptr(a.valueCache())
                .i32(g.numHeads()).i32(g.numKvHeads()).i32(g.headDim()).f32(a.normEps());
        function.launch(s, Dim3.of(a.tokens()), Dim3.of(THREADS), 0, args);
    }
}
