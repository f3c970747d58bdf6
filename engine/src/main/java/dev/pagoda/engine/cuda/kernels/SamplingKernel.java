package dev.pagoda.engine.cuda.kernels;

import dev.pagoda.engine.cuda.CudaFunction;
import dev.pagoda.engine.cuda.CudaStream;
import dev.pagoda.engine.cuda.Dim3;
import dev.pagoda.engine.cuda.KernelArgs;
import java.util.List;

/** Launches {@code sample_tokens}: one CTA of 1024 threads per logits row (rows with a structured-output bitmask draw only allowed tokens). */
final class SamplingKernel {

    static final KernelSource SOURCE = new KernelSource("sampling.cu", List.of("sample_tokens"));
    private static final int THREADS = 1024;

    private final CudaFunction function;
    private final KernelArgs args = new KernelArgs(12);

    SamplingKernel(LoadedKernels kernels) {
        function = kernels.function("sample_tokens");
    }

    void launch(CudaStream s, CudaKernels.SamplingBatch b) {
        Checks.nonNegative(b.rows(), "sample rows");
        Checks.positive(b.vocab(), "sample vocab");
        Checks.pointer(b.logits(), "sample logits");
        Checks.pointer(b.temperature(), "sample temperature");
        Checks.pointer(b.topK(), "sample topK");
        Checks.pointer(b.topP(), "sample topP");
        Checks.pointer(b.minP(), "sample minP");
        Checks.pointer(b.seeds(), "sample seeds");
        Checks.pointer(b.counters(), "sample counters");
        Checks.pointer(b.outTokens(), "sample outTokens");
        if (b.maskRows() != 0) {
            Checks.pointer(b.maskWords(), "sample maskWords");
            Checks.positive(b.maskStride(), "sample maskStride");
            if (32L * b.maskStride() < b.vocab()) throw new IllegalArgumentException("mask rows of " + b.maskStride() + " words cannot cover " + b.vocab() + " tokens");
        }
        if (b.rows() == 0) return;
        args.reset().ptr(b.logits()).i32(b.vocab()).ptr(b.temperature()).ptr(b.topK()).ptr(b.topP()).ptr(b.minP())
                .ptr(b.seeds()).ptr(b.counters()).ptr(b.maskRows()).ptr(b.maskWords()).i32(b.maskStride()).ptr(b.outTokens());
        function.launch(s, Dim3.of(b.rows()), Dim3.of(THREADS), 0, args);
    }
}
