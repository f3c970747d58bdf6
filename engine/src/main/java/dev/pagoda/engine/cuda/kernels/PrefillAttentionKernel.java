package dev.pagoda.engine.cuda.kernels;

import dev.pagoda.engine.cuda.CudaFunction;
import dev.pagoda.engine.cuda.CudaStream;
import dev.pagoda.engine.cuda.Dim3;
import dev.pagoda.engine.cuda.KernelArgs;
import java.util.List;

/**
 * The legacy prefill attention ({@link PrefillKernelChoice#LEGACY}). Launches
 * {@code prefill_attention_d<DH>}: grid (numTiles, numHeads), 128 threads, tensor cores
 * (WMMA bf16, f32 accumulation). Dynamic shared memory mirrors {@code PrefillTile<DH>::SMEM} in
 * the source: two K/V tiles, the scores (f32), the probabilities (bf16), the output accumulator
 * (f32) and the per-row statistics.
 */
final class PrefillAttentionKernel implements PrefillAttentionLauncher {

    static final int TILE_ROWS = 64;
    private static final int THREADS = 128;
    static final KernelSource SOURCE = new KernelSource("prefill_attention.cu",
            java.util.Arrays.stream(DecodeAttentionKernel.HEAD_DIMS).mapToObj(PrefillAttentionKernel::name).toList());

    private final LoadedKernels kernels;
    private final KernelArgs args = new KernelArgs(16);

    PrefillAttentionKernel(LoadedKernels kernels) {
        this.kernels = kernels;
        for (int d : DecodeAttentionKernel.HEAD_DIMS) {
            int bytes = sharedBytes(d);
            if (bytes > 48 * 1024) kernels.function(name(d)).setMaxDynamicSharedBytes(bytes);
        }
    }

    static String name(int headDim) {
        return "prefill_attention_d" + headDim;
    }

    static int keyTile(int headDim) {
        return headDim <= 128 ? 64 : 32;
    }

    /** Bytes of dynamic shared memory for one CTA; equals PrefillTile&lt;DH&gt;::SMEM. */
    static int sharedBytes(int headDim) {
        int kt = keyTile(headDim);
        int kv = 2 * kt * (headDim + 8) * 2;
        int scores = TILE_ROWS * (kt + 4) * 4;
        int probs = TILE_ROWS * (kt + 8) * 2;
        int acc = TILE_ROWS * (headDim + 4) * 4;
        int stats = 2 * TILE_ROWS * 4;
        return kv + scores + probs + acc + stats;
    }

    /** The argument checks both prefill kernels make; true when there is work (at least one tile). */
    static boolean checkArguments(CudaKernels.AttentionGeometry g, CudaKernels.PrefillAttention a) {
        DecodeAttentionKernel.requireSupported(g);
        Checks.nonNegative(a.numTiles(), "prefillAttention numTiles");
        Checks.aligned16(a.query(), "prefillAttention query");
        Checks.aligned16(a.keyCache(), "prefillAttention keyCache");
        Checks.aligned16(a.valueCache(), "prefillAttention valueCache");
        Checks.aligned16(a.out(), "prefillAttention out");
        Checks.pointer(a.blockTables(), "prefillAttention blockTables");
        Checks.pointer(a.queryStart(), "prefillAttention queryStart");
        Checks.pointer(a.contextLens(), "prefillAttention contextLens");
        Checks.pointer(a.tileSeq(), "prefillAttention tileSeq");
        Checks.pointer(a.tileRow(), "prefillAttention tileRow");
        return a.numTiles() > 0;
    }

    /** Fills {@code args} with the kernel arguments both prefill kernels take, in their order. */
    static void kernelArgs(KernelArgs args, CudaKernels.AttentionGeometry g, CudaKernels.PrefillAttention a) {
        args.reset().ptr(a.query()).ptr(a.keyCache()).ptr(a.valueCache()).ptr(a.blockTables()).ptr(a.queryStart())
                .ptr(a.contextLens()).ptr(a.tileSeq()).ptr(a.tileRow()).ptr(a.out())
                .i32(g.numHeads()).i32(g.numKvHeads()).i32(g.blockSize()).i32(g.maxBlocksPerSeq()).f32(g.scale())
                .i32(g.slidingWindow());
    }

    @Override
    public void launch(CudaStream s, CudaKernels.AttentionGeometry g, CudaKernels.PrefillAttention a) {
        if (!checkArguments(g, a)) return;
        CudaFunction f = kernels.function(name(g.headDim()));
        kernelArgs(args, g, a);
        f.launch(s, Dim3.of(a.numTiles(), g.numHeads()), Dim3.of(THREADS), sharedBytes(g.headDim()), args);
    }
}
