package dev.pagoda.engine.cuda.kernels;

import dev.pagoda.engine.cuda.CudaDevice;
import dev.pagoda.engine.cuda.CudaEvents;
import dev.pagoda.engine.cuda.CudaStream;
import dev.pagoda.engine.cuda.DeviceBuffer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Times decode attention alone, both kernels ({@link DecodeKernelChoice}) in one process, over
 * batch sizes 1..256 and contexts 640..8192 with shuffled block tables: milliseconds per launch
 * (split reduce included) and the K/V bytes read per second. The table reach is fixed by
 * {@code maxModelLen} as a server's would be, so small batches take the split path as they do in
 * serving. Values in the cache are a constant pattern (timing does not depend on them; the GPU
 * tests check the numbers).
 *
 * <p>Usage: {@code DecodeAttentionBench [heads kvHeads headDim blockSize maxModelLen]}, default
 * {@code 32 8 128 16 8192} (Llama-3-8B).
 */
public final class DecodeAttentionBench {

    private static final int[] BATCHES = {1, 4, 16, 32, 64, 128, 256};
    private static final int[] CONTEXTS = {640, 2048, 8192};
    private static final int WARMUP = 3, ITERS = 20;

    private DecodeAttentionBench() {}

    public static void main(String[] args) {
        int heads = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int kvHeads = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int headDim = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        int blockSize = args.length > 3 ? Integer.parseInt(args[3]) : 16;
        int maxModelLen = args.length > 4 ? Integer.parseInt(args[4]) : 8192;
        int maxBatch = BATCHES[BATCHES.length - 1];
        int blocksPerSeq = Math.ceilDiv(maxModelLen, blockSize);
        var g = new CudaKernels.AttentionGeometry(heads, kvHeads, headDim, blockSize, blocksPerSeq,
                (float) (1 / Math.sqrt(headDim)), 0);
        int numBlocks = maxBatch * blocksPerSeq;
        long cacheBytes = (long) numBlocks * blockSize * kvHeads * headDim * 2;
        try (CudaDevice device = CudaDevice.open(0);
             CudaKernels legacy = CudaKernels.load(device, DecodeKernelChoice.LEGACY);
             CudaKernels v2 = CudaKernels.load(device, DecodeKernelChoice.V2);
             DeviceBuffer keys = device.allocate(cacheBytes);
             DeviceBuffer values = device.allocate(cacheBytes);
             DeviceBuffer query = device.allocate((long) maxBatch * heads * headDim * 2);
             DeviceBuffer out = device.allocate((long) maxBatch * heads * headDim * 2);
             DeviceBuffer workspace = device.allocate(Math.max(16, CudaKernels.decodeWorkspaceBytes(g, maxBatch)));
             DeviceBuffer tables = device.allocate((long) maxBatch * blocksPerSeq * 4);
             DeviceBuffer seqIndex = device.allocate((maxBatch + 1L) * 4);
             DeviceBuffer contextLens = device.allocate(maxBatch * 4L);
             CudaEvents events = new CudaEvents();
             Arena arena = Arena.ofConfined()) {
            keys.fill(0x3c); // bf16 0x3c3c ~ 0.0115 everywhere
            values.fill(0x3c);
            query.fill(0x3c);
            tables.upload(shuffledTables(arena, numBlocks, maxBatch * blocksPerSeq));
            int[] identity = new int[maxBatch + 1];
            for (int i = 0; i <= maxBatch; i++) identity[i] = i;
            seqIndex.upload(arena.allocateFrom(ValueLayout.JAVA_INT, identity)); // decodeSeqs = queryStart = 0, 1, 2 ...
            System.out.printf(Locale.ROOT, "decode attention on %s: %d heads / %d KV heads, head dim %d, block %d, table reach %d%n",
                    device.describe(), heads, kvHeads, headDim, blockSize, g.maxContext());
            System.out.printf(Locale.ROOT, "%6s %7s %6s | %10s %8s | %10s %8s | %7s%n", "batch", "context", "splits", "legacy ms",
                    "TB/s", "v2 ms", "TB/s", "speedup");
            CudaStream stream = device.defaultStream();
            for (int context : CONTEXTS) {
                if (context > g.maxContext()) continue;
                for (int batch : BATCHES) {
                    int[] lens = new int[maxBatch];
                    java.util.Arrays.fill(lens, 0, batch, context);
                    contextLens.upload(arena.allocateFrom(ValueLayout.JAVA_INT, lens));
                    device.synchronize();
                    var a = new CudaKernels.DecodeAttention(query.address(), keys.address(), values.address(), tables.address(),
                            seqIndex.address(), contextLens.address(), seqIndex.address(), batch, out.address(), workspace.address());
                    double legacyMs = events.millisPerRun(stream, WARMUP, ITERS, () -> legacy.decodeAttention(stream, g, a));
                    double v2Ms = events.millisPerRun(stream, WARMUP, ITERS, () -> v2.decodeAttention(stream, g, a));
                    double bytes = 2.0 * batch * context * kvHeads * headDim * 2;
                    int sms = device.multiprocessors();
                    long items = (long) batch * kvHeads * Math.ceilDiv(heads / kvHeads, DecodeAttentionV2Kernel.HEADS_PER_CTA);
                    System.out.printf(Locale.ROOT, "%6d %7d %6d | %10.4f %8.2f | %10.4f %8.2f | %6.2fx%n", batch, context,
                            DecodeSplits.plan(g, items, sms).splits(), legacyMs, bytes / legacyMs / 1e9, v2Ms, bytes / v2Ms / 1e9,
                            legacyMs / v2Ms);
                }
            }
        }
    }

    /** Every block id once, shuffled, as (maxBatch, blocksPerSeq) tables: each sequence's blocks scattered. */
    static MemorySegment shuffledTables(Arena arena, int numBlocks, int entries) {
        List<Integer> ids = new ArrayList<>(numBlocks);
        for (int b = 0; b < numBlocks; b++) ids.add(b);
        Collections.shuffle(ids, new Random(1));
        int[] flat = new int[entries];
        for (int i = 0; i < entries; i++) flat[i] = ids.get(i % numBlocks);
        return arena.allocateFrom(ValueLayout.JAVA_INT, flat);
    }
}
