package dev.pagoda.engine.cuda.kernels;

import dev.pagoda.engine.cuda.CudaFunction;
import dev.pagoda.engine.cuda.CudaStream;
import dev.pagoda.engine.cuda.Dim3;
import dev.pagoda.engine.cuda.KernelArgs;
import java.util.List;

/**
 * The row-wise kernels: embedding gather (and the fill of pending token ids before it), RMSNorm,
 * SiLU·mul, and the copy-on-write block copy.
 * Rows whose width is a multiple of 8 use 16-byte loads (then the pointers must be 16-byte
 * aligned); other widths take a scalar path.
 */
final class ElementwiseKernels {

    static final KernelSource EMBEDDING = new KernelSource("embedding.cu", List.of("embedding_gather", "fill_pending_tokens"));
    static final KernelSource RMS_NORM = new KernelSource("rms_norm.cu", List.of("rms_norm"));
    static final KernelSource SILU_MUL = new KernelSource("silu_mul.cu", List.of("silu_mul"));
    static final KernelSource COPY_BLOCKS = new KernelSource("copy_blocks.cu", List.of("copy_blocks"));

    private static final int SILU_THREADS = 256;
    private static final int COPY_THREADS = 256;
    private static final int FILL_THREADS = 256;

    private final CudaFunction embedding;
    private final CudaFunction fillPending;
    private final CudaFunction rmsNorm;
    private final CudaFunction siluMul;
    private final CudaFunction copyBlocks;
    private final KernelArgs args = new KernelArgs(8);

    ElementwiseKernels(LoadedKernels kernels) {
        embedding = kernels.function("embedding_gather");
        fillPending = kernels.function("fill_pending_tokens");
        rmsNorm = kernels.function("rms_norm");
        siluMul = kernels.function("silu_mul");
        copyBlocks = kernels.function("copy_blocks");
    }

    /** One thread per 8 values of a row, 32..1024 threads. */
    static int rowThreads(int dim) {
        int chunks = (dim + 7) / 8;
        return Math.clamp(((chunks + 31) / 32) * 32L, 32, 1024);
    }

    void embedding(CudaStream s, long tokenIds, long table, long out, int tokens, int dim) {
        Checks.nonNegative(tokens, "embedding tokens");
        Checks.positive(dim, "embedding dim");
        Checks.pointer(tokenIds, "embedding tokenIds");
        vectorPointers(dim, table, "embedding table", out, "embedding out");
        if (tokens == 0) return;
        args.reset().ptr(tokenIds).ptr(table).ptr(out).i32(dim);
        embedding.launch(s, Dim3.of(tokens), Dim3.of(rowThreads(dim)), 0, args);
    }

    void fillPendingTokens(CudaStream s, long tokenIds, long feedRows, long previousSampled, int tokens) {
        Checks.nonNegative(tokens, "fillPendingTokens tokens");
        Checks.pointer(tokenIds, "fillPendingTokens tokenIds");
        Checks.pointer(feedRows, "fillPendingTokens feedRows");
        Checks.pointer(previousSampled, "fillPendingTokens previousSampled");
        if (tokens == 0) return;
        args.reset().ptr(tokenIds).ptr(feedRows).ptr(previousSampled).i32(tokens);
        fillPending.launch(s, Dim3.of((tokens + FILL_THREADS - 1) / FILL_THREADS), Dim3.of(FILL_THREADS), 0, args);
    }

    void rmsNorm(CudaStream s, long x, long rows, long weight, long out, int n, int dim, float eps) {
        Checks.nonNegative(n, "rmsNorm rows");
        Checks.positive(dim, "rmsNorm dim");
        if (!(eps >= 0) || Float.isInfinite(eps)) throw new IllegalArgumentException("rmsNorm eps must be finite and >= 0, got " + eps);
        vectorPointers(dim, x, "rmsNorm x", weight, "rmsNorm weight");
        vectorPointers(dim, out, "rmsNorm out", out, "rmsNorm out");
        if (n == 0) return;
        args.reset().ptr(x).ptr(rows).ptr(weight).ptr(out).i32(dim).f32(eps);
        rmsNorm.launch(s, Dim3.of(n), Dim3.of(rowThreads(dim)), 0, args);
    }

    void siluMul(CudaStream s, long gateUp, long out, int tokens, int inter) {
        Checks.nonNegative(tokens, "siluMul tokens");
        Checks.positive(inter, "siluMul intermediate size");
        vectorPointers(inter, gateUp, "siluMul gateUp", out, "siluMul out");
        if (tokens == 0) return;
        int columnsPerBlock = 8 * SILU_THREADS;
        args.reset().ptr(gateUp).ptr(out).i32(inter);
        siluMul.launch(s, Dim3.of((inter + columnsPerBlock - 1) / columnsPerBlock, tokens), Dim3.of(SILU_THREADS), 0, args);
    }

    void copyBlocks(CudaStream s, long keyPool, long valuePool, long pairs, int n, int numLayers, long layerStrideBytes,
                    long blockBytes) {
        Checks.nonNegative(n, "copyBlocks pairs");
        Checks.positive(numLayers, "copyBlocks numLayers");
        Checks.aligned16(keyPool, "copyBlocks keyPool");
        Checks.aligned16(valuePool, "copyBlocks valuePool");
        Checks.pointer(pairs, "copyBlocks pairs");
        if (blockBytes < 16 || blockBytes % 16 != 0 || layerStrideBytes % 16 != 0 || layerStrideBytes < 0) {
            throw new IllegalArgumentException("copyBlocks needs blockBytes and layerStrideBytes as positive multiples of 16, got "
                    + blockBytes + " and " + layerStrideBytes);
        }
        if (n == 0) return;
        args.reset().ptr(keyPool).ptr(valuePool).ptr(pairs).i64(layerStrideBytes).i64(blockBytes);
        copyBlocks.launch(s, Dim3.of(n, numLayers, 2), Dim3.of(COPY_THREADS), 0, args);
    }

    private static void vectorPointers(int width, long a, String aName, long b, String bName) {
        if (width % 8 == 0) {
            Checks.aligned16(a, aName);
            Checks.aligned16(b, bName);
        } else {
            Checks.pointer(a, aName);
            Checks.pointer(b, bName);
        }
    }
}
