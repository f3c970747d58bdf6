package dev.pagoda.engine.cuda.kernels;

import dev.pagoda.engine.cuda.CudaStream;
import dev.pagoda.engine.cuda.Dim3;
import dev.pagoda.engine.cuda.KernelArgs;
import java.util.Arrays;

/**
 * The pipelined decode attention ({@link DecodeKernelChoice#V2}): {@code decode_attention_v2_d<DH>}
 * over (KV head × chunk of 8 query heads, sequence, split), 128 threads, then
 * {@code decode_attention_reduce} when the {@link DecodeSplits} plan has more than one split. Same
 * arguments, split geometry and workspace as the legacy kernel.
 *
 * <p>Each of the 4 warps streams its own 16-key K/V tiles through a ring of {@link #stages}
 * shared-memory stages with cp.async and keeps its own online softmax, so loads stay in flight
 * through the softmax and no CTA-wide barrier runs until the final merge.
 */
final class DecodeAttentionV2Kernel implements DecodeAttentionLauncher {

    /** Query heads per CTA: the N of the m16n8k16 tensor-core tiles; a larger KV group takes several CTAs. */
    static final int HEADS_PER_CTA = 8;
    static final int KEYS_PER_TILE = 16;
    static final int WARPS = 4;
    private static final int THREADS = 32 * WARPS;
    private static final int MAX_GRID_Y = 65_535;
    static final KernelSource SOURCE = new KernelSource("decode_attention_v2.cu",
            Arrays.stream(DecodeAttentionKernel.HEAD_DIMS).mapToObj(DecodeAttentionV2Kernel::name).toList());

    private final LoadedKernels kernels;
    private final DecodeSplits splits;
    private final KernelArgs args = new KernelArgs(20);
    private final int multiprocessors;

    DecodeAttentionV2Kernel(LoadedKernels kernels, DecodeSplits splits, int multiprocessors) {
        this.kernels = kernels;
        this.splits = splits;
        this.multiprocessors = multiprocessors;
        for (int d : DecodeAttentionKernel.HEAD_DIMS) {
            int bytes = sharedBytes(d);
            if (bytes > 48 * 1024) kernels.function(name(d)).setMaxDynamicSharedBytes(bytes);
        }
    }

    static String name(int headDim) {
        return "decode_attention_v2_d" + headDim;
    }

    /**
     * K/V tiles each warp keeps in its ring: bigger rows, fewer stages, so that two CTAs fit an SM
     * at head dim 128 on Hopper and every head dim fits Ampere's 163 KiB per CTA. Equals
     * {@code DecodeV2<DH>::STAGES}.
     */
    static int stages(int headDim) {
        return headDim <= 64 ? 4 : headDim == 128 ? 3 : 2;
    }

    /**
     * Dynamic shared memory of one CTA, equal to {@code DecodeV2<DH>::SMEM}: the warps' rings
     * (K and V of 16 keys, bf16, per stage), reused after the loop as the f32 merge buffer
     * [warp][head][headDim + 4], whichever is larger.
     */
    static int sharedBytes(int headDim) {
        int ring = WARPS * stages(headDim) * 2 * KEYS_PER_TILE * headDim * 2;
        int merge = WARPS * HEADS_PER_CTA * (headDim + 4) * 4;
        return Math.max(ring, merge);
    }

    @Override
    public void launch(CudaStream s, CudaKernels.AttentionGeometry g, CudaKernels.DecodeAttention a) {
        DecodeSplits.checkArguments(g, a);
        if (a.numDecodeSeqs() > MAX_GRID_Y) {
            throw new IllegalArgumentException("decodeAttention numDecodeSeqs " + a.numDecodeSeqs() + " exceeds the v2 kernel's "
                    + MAX_GRID_Y + " (grid.y); use -D" + DecodeKernelChoice.PROPERTY + "=legacy");
        }
        if (a.numDecodeSeqs() == 0) return;
        int groupSize = g.numHeads() / g.numKvHeads();
        int chunks = (groupSize + HEADS_PER_CTA - 1) / HEADS_PER_CTA;
        var plan = DecodeSplits.plan(g, (long) a.numDecodeSeqs() * g.numKvHeads() * chunks, multiprocessors);
        DecodeSplits.attentionArgs(args, g, a, plan);
        // head items fastest: resident CTAs share cache blocks (see the kernel)
        kernels.function(name(g.headDim())).launch(s, Dim3.of(g.numKvHeads() * chunks, a.numDecodeSeqs(), plan.splits()),
                Dim3.of(THREADS), sharedBytes(g.headDim()), args);
        splits.reduceIfSplit(s, g, a, plan);
    }
}
