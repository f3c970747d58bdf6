package dev.pagoda.engine.cuda.kernels;

import dev.pagoda.engine.cuda.CudaFunction;
import dev.pagoda.engine.cuda.CudaStream;
import dev.pagoda.engine.cuda.Dim3;
import dev.pagoda.engine.cuda.KernelArgs;

/**
 * What both decode attention kernels share around their own launch: the argument checks, how the
 * KV length is split, and {@code decode_attention_reduce}, which merges the splits of sequences that
 * needed more than one. The split geometry depends only on {@code maxBlocksPerSeq · blockSize} and
 * on the decode count (fixed for a graph's batch bucket), never on the contexts.
 */
final class DecodeSplits {

    /**
     * @param partition keys per split (a multiple of {@link DecodeAttentionKernel#CHUNK})
     * @param splits    grid.z of the attention kernel; 1 = each CTA writes its output directly
     */
    record Plan(int partition, int splits) {}

    private static final int REDUCE_THREADS = 128;

    private final CudaFunction reduce;
    private final KernelArgs args = new KernelArgs(12);

    DecodeSplits(LoadedKernels kernels) {
        this.reduce = kernels.function("decode_attention_reduce");
    }

    static void checkArguments(CudaKernels.AttentionGeometry g, CudaKernels.DecodeAttention a) {
        DecodeAttentionKernel.requireSupported(g);
        Checks.nonNegative(a.numDecodeSeqs(), "decodeAttention numDecodeSeqs");
        Checks.aligned16(a.query(), "decodeAttention query");
        Checks.aligned16(a.keyCache(), "decodeAttention keyCache");
        Checks.aligned16(a.valueCache(), "decodeAttention valueCache");
        Checks.pointer(a.blockTables(), "decodeAttention blockTables");
        Checks.pointer(a.queryStart(), "decodeAttention queryStart");
        Checks.pointer(a.contextLens(), "decodeAttention contextLens");
        Checks.pointer(a.decodeSeqs(), "decodeAttention decodeSeqs");
        Checks.pointer(a.out(), "decodeAttention out");
        if (DecodeAttentionKernel.numSplits(g) > 1) Checks.aligned16(a.workspace(), "decodeAttention workspace");
    }

    /**
     * With at least two (sequence, KV head, head chunk) work items per multiprocessor the GPU is
     * full without splitting the KV length: one split per item, so no CTA is launched only to find
     * its split empty and no reduce pass runs. Otherwise the splits of {@link DecodeAttentionKernel#numSplits}.
     */
    static Plan plan(CudaKernels.AttentionGeometry g, long workItems, int multiprocessors) {
        if (workItems >= 2L * multiprocessors) {
            int chunk = DecodeAttentionKernel.CHUNK;
            return new Plan(Math.toIntExact(((g.maxContext() + chunk - 1) / chunk) * chunk), 1);
        }
        return new Plan(DecodeAttentionKernel.partitionLen(g), DecodeAttentionKernel.numSplits(g));
    }

    /** Fills {@code args} with the parameter list both attention kernels take, in their order. */
    static KernelArgs attentionArgs(KernelArgs args, CudaKernels.AttentionGeometry g, CudaKernels.DecodeAttention a, Plan plan) {
        return args.reset().ptr(a.query()).ptr(a.keyCache()).ptr(a.valueCache()).ptr(a.blockTables()).ptr(a.queryStart())
                .ptr(a.contextLens()).ptr(a.decodeSeqs()).ptr(a.out()).ptr(a.workspace())
                .i32(g.numHeads()).i32(g.numKvHeads()).i32(g.blockSize()).i32(g.maxBlocksPerSeq()).f32(g.scale())
                .i32(g.slidingWindow()).i32(plan.partition()).i32(plan.splits());
    }

    /** Launches the merge after an attention kernel that ran with {@code plan}; nothing when it had one split. */
    void reduceIfSplit(CudaStream s, CudaKernels.AttentionGeometry g, CudaKernels.DecodeAttention a, Plan plan) {
        if (plan.splits() == 1) return;
        args.reset().ptr(a.workspace()).ptr(a.queryStart()).ptr(a.contextLens()).ptr(a.decodeSeqs()).ptr(a.out())
                .i32(g.numHeads()).i32(g.headDim()).i32(g.slidingWindow()).i32(plan.partition()).i32(plan.splits());
        reduce.launch(s, Dim3.of(a.numDecodeSeqs(), g.numHeads()), Dim3.of(REDUCE_THREADS), 0, args);
    }
}
