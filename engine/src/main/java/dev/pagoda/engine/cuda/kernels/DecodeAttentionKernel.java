package dev.pagoda.engine.cuda.kernels;

import dev.pagoda.engine.cuda.CudaStream;
import dev.pagoda.engine.cuda.Dim3;
import dev.pagoda.engine.cuda.KernelArgs;
import java.util.ArrayList;
import java.util.List;

/**
 * The legacy decode attention ({@link DecodeKernelChoice#LEGACY}): {@code decode_attention_d<DH>_g<GMAX>}
 * over (sequence, KV head × head chunk, split), then {@code decode_attention_reduce} when the
 * {@link DecodeSplits} plan has more than one split. Also owns the split geometry both kernels use;
 * it depends only on {@code maxBlocksPerSeq · blockSize}, never on the contexts, so a captured
 * graph stays valid while the sequences grow.
 *
 * <pre>
 *   partition = 512 · ceil(ceil(maxContext / 512) / 32)  keys per split (at most 32 splits)
 *   splits    = ceil(maxContext / partition)
 *   workspace = numDecodeSeqs · numHeads · splits · (headDim + 2) floats
 * </pre>
 */
final class DecodeAttentionKernel implements DecodeAttentionLauncher {

    static final int[] HEAD_DIMS = {16, 32, 64, 128, 256};
    /** Query heads one CTA serves; a KV group larger than 8 is split over several CTAs. */
    static final int[] GROUP_TILES = {1, 2, 4, 8};
    static final int CHUNK = 512;
    static final int MAX_SPLITS = 32;
    private static final int THREADS = 256;
    static final KernelSource SOURCE = new KernelSource("decode_attention.cu", functionNames());

    private final LoadedKernels kernels;
    private final DecodeSplits splits;
    private final KernelArgs args = new KernelArgs(20);
    private final int multiprocessors;

    DecodeAttentionKernel(LoadedKernels kernels, DecodeSplits splits, int multiprocessors) {
        this.kernels = kernels;
        this.splits = splits;
        this.multiprocessors = multiprocessors;
    }

    private static List<String> functionNames() {
        List<String> names = new ArrayList<>();
        for (int d : HEAD_DIMS) for (int g : GROUP_TILES) if (g <= d / 8) names.add(name(d, g));
        names.add("decode_attention_reduce");
        return names;
    }

    static String name(int headDim, int groupTile) {
        return "decode_attention_d" + headDim + "_g" + groupTile;
    }

    /**
     * Smallest instantiated tile holding the whole KV group, or the largest one. A key row is
     * read by headDim / 8 lanes and the cross-lane reduction hands each lane one head, so a tile
     * holds at most headDim / 8 heads.
     */
    static int groupTile(int groupSize, int headDim) {
        int largest = 1;
        for (int g : GROUP_TILES) {
            if (g > headDim / 8) break;
            largest = g;
            if (g >= groupSize) return g;
        }
        return largest;
    }

    static int partitionLen(CudaKernels.AttentionGeometry g) {
        long maxContext = g.maxContext();
        long raw = (maxContext + CHUNK - 1) / CHUNK;
        return Math.toIntExact(CHUNK * ((raw + MAX_SPLITS - 1) / MAX_SPLITS));
    }

    static int numSplits(CudaKernels.AttentionGeometry g) {
        int p = partitionLen(g);
        return Math.toIntExact((g.maxContext() + p - 1) / p);
    }

    static long workspaceBytes(CudaKernels.AttentionGeometry g, int maxSeqs) {
        Checks.nonNegative(maxSeqs, "decode workspace maxSeqs");
        requireSupported(g);
        return (long) maxSeqs * g.numHeads() * numSplits(g) * (g.headDim() + 2L) * Float.BYTES;
    }

    static void requireSupported(CudaKernels.AttentionGeometry g) {
        for (int d : HEAD_DIMS) if (d == g.headDim()) return;
        throw new IllegalArgumentException("CUDA attention supports head_dim 16, 32, 64, 128 or 256, got " + g.headDim());
    }

    @Override
    public void launch(CudaStream s, CudaKernels.AttentionGeometry g, CudaKernels.DecodeAttention a) {
        DecodeSplits.checkArguments(g, a);
        if (a.numDecodeSeqs() == 0) return;
        int groupSize = g.numHeads() / g.numKvHeads();
        int tile = groupTile(groupSize, g.headDim());
        int chunks = (groupSize + tile - 1) / tile;
        var plan = DecodeSplits.plan(g, (long) a.numDecodeSeqs() * g.numKvHeads() * chunks, multiprocessors);
        DecodeSplits.attentionArgs(args, g, a, plan);
        kernels.function(name(g.headDim(), tile))
                .launch(s, Dim3.of(a.numDecodeSeqs(), g.numKvHeads() * chunks, plan.splits()), Dim3.of(THREADS), 0, args);
        splits.reduceIfSplit(s, g, a, plan);
    }
}
