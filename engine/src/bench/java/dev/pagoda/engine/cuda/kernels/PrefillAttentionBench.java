package dev.pagoda.engine.cuda.kernels;

import dev.pagoda.engine.cuda.Bf16;
import dev.pagoda.engine.cuda.CudaDevice;
import dev.pagoda.engine.cuda.CudaEvents;
import dev.pagoda.engine.cuda.CudaStream;
import dev.pagoda.engine.cuda.DeviceBuffer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Times prefill attention alone, both kernels ({@link PrefillKernelChoice}) in one process, on
 * the shapes of a prefill step: 16 prompts of 512 tokens, 4 of 2048, one 2048-token chunk after
 * 6144 cached tokens, and a 512-token chunk after 7680. Prints milliseconds per launch and the
 * effective TFLOP/s: 4 · headDim · heads · (keys each query row sees under the causal mask), the
 * FLOPs of QKᵀ and PV over the visible keys only (the masked half of the diagonal is not counted),
 * and which v2 instantiation (heads per CTA, m-tiles per warp) the launch took. Block tables are
 * shuffled over the pool; cache and query values are random (the online softmax's rescaling depends on how
 * row maxima move, so constant data would time a path real prompts rarely take).
 *
 * <p>Usage: {@code PrefillAttentionBench [heads kvHeads headDim blockSize]}, default
 * {@code 32 8 128 16} (Llama-3-8B, GQA 4).
 */
public final class PrefillAttentionBench {

    /** (sequences, query rows each, cached tokens before them). */
    private record Shape(int seqs, int rows, int cached) {
        int context() {
            return cached + rows;
        }

        /** Query-key pairs the causal mask leaves visible. */
        double visiblePairs() {
            return (double) seqs * rows * (cached + (rows + 1) / 2.0);
        }

        @Override
        public String toString() {
            return seqs + " x " + rows + (cached > 0 ? " after " + cached : " fresh");
        }
    }

    private static final Shape[] SHAPES = {new Shape(16, 512, 0), new Shape(4, 2048, 0), new Shape(1, 2048, 6144),
            new Shape(1, 512, 7680)};
    private static final int WARMUP = 3, ITERS = 20;

    private PrefillAttentionBench() {}

    public static void main(String[] args) {
        int heads = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int kvHeads = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int headDim = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        int blockSize = args.length > 3 ? Integer.parseInt(args[3]) : 16;
        int maxSeqs = Arrays.stream(SHAPES).mapToInt(Shape::seqs).max().orElseThrow();
        int maxContext = Arrays.stream(SHAPES).mapToInt(Shape::context).max().orElseThrow();
        int maxTokens = Arrays.stream(SHAPES).mapToInt(s -> s.seqs() * s.rows()).max().orElseThrow();
        int blocksPerSeq = Math.ceilDiv(maxContext, blockSize);
        var g = new CudaKernels.AttentionGeometry(heads, kvHeads, headDim, blockSize, blocksPerSeq,
                (float) (1 / Math.sqrt(headDim)), 0);
        int numBlocks = maxSeqs * blocksPerSeq;
        long cacheBytes = (long) numBlocks * blockSize * kvHeads * headDim * 2;
        long rowBytes = (long) heads * headDim * 2;
        int maxTiles = CudaKernels.maxPrefillTiles(maxTokens, maxSeqs);
        try (CudaDevice device = CudaDevice.open(0);
             CudaKernels legacy = CudaKernels.load(device, DecodeKernelChoice.DEFAULT, PrefillKernelChoice.LEGACY);
             CudaKernels v2 = CudaKernels.load(device, DecodeKernelChoice.DEFAULT, PrefillKernelChoice.V2);
             DeviceBuffer keys = device.allocate(cacheBytes);
             DeviceBuffer values = device.allocate(cacheBytes);
             DeviceBuffer query = device.allocate(maxTokens * rowBytes);
             DeviceBuffer out = device.allocate(maxTokens * rowBytes);
             DeviceBuffer tables = device.allocate((long) maxSeqs * blocksPerSeq * 4);
             DeviceBuffer queryStart = device.allocate((maxSeqs + 1L) * 4);
             DeviceBuffer contextLens = device.allocate(maxSeqs * 4L);
             DeviceBuffer tileSeq = device.allocate(maxTiles * 4L);
             DeviceBuffer tileRow = device.allocate(maxTiles * 4L);
             CudaEvents events = new CudaEvents();
             Arena arena = Arena.ofConfined()) {
            Random random = new Random(1);
            keys.upload(randomBf16(arena, random, cacheBytes / 2));
            values.upload(randomBf16(arena, random, cacheBytes / 2));
            query.upload(randomBf16(arena, random, maxTokens * rowBytes / 2));
            tables.upload(DecodeAttentionBench.shuffledTables(arena, numBlocks, maxSeqs * blocksPerSeq));
            System.out.printf(Locale.ROOT, "prefill attention on %s: %d heads / %d KV heads, head dim %d, block %d%n",
                    device.describe(), heads, kvHeads, headDim, blockSize);
            System.out.printf(Locale.ROOT, "%-20s %6s | %10s %8s | %-7s %10s %8s | %7s%n", "shape", "tiles", "legacy ms", "TFLOP/s",
                    "v2 CTA", "v2 ms", "TFLOP/s", "speedup");
            CudaStream stream = device.defaultStream();
            for (Shape shape : SHAPES) {
                int[] qs = new int[shape.seqs() + 1], ctx = new int[shape.seqs()];
                for (int s = 0; s < shape.seqs(); s++) {
                    qs[s + 1] = qs[s] + shape.rows();
                    ctx[s] = shape.context();
                }
                int[] seqOfTile = new int[maxTiles], rowOfTile = new int[maxTiles];
                int tiles = CudaKernels.prefillTiles(qs, seqOfTile, rowOfTile);
                queryStart.upload(arena.allocateFrom(ValueLayout.JAVA_INT, qs));
                contextLens.upload(arena.allocateFrom(ValueLayout.JAVA_INT, ctx));
                tileSeq.upload(arena.allocateFrom(ValueLayout.JAVA_INT, seqOfTile));
                tileRow.upload(arena.allocateFrom(ValueLayout.JAVA_INT, rowOfTile));
                device.synchronize();
                var a = new CudaKernels.PrefillAttention(query.address(), keys.address(), values.address(), tables.address(),
                        queryStart.address(), contextLens.address(), tileSeq.address(), tileRow.address(), tiles, out.address());
                double legacyMs = events.millisPerRun(stream, WARMUP, ITERS, () -> legacy.prefillAttention(stream, g, a));
                double v2Ms = events.millisPerRun(stream, WARMUP, ITERS, () -> v2.prefillAttention(stream, g, a));
                double flops = 4.0 * headDim * heads * shape.visiblePairs();
                var variant = PrefillAttentionV2Kernel.variant(headDim, heads / kvHeads, tiles, heads, device.multiprocessors());
                System.out.printf(Locale.ROOT, "%-20s %6d | %10.4f %8.1f | %-7s %10.4f %8.1f | %6.2fx%n", shape, tiles, legacyMs,
                        flops / legacyMs / 1e9, "h" + variant.heads() + "_m" + variant.mTiles(), v2Ms, flops / v2Ms / 1e9,
                        legacyMs / v2Ms);
            }
        }
    }

    /** {@code count} bf16 values uniform in [-1, 1). */
    private static MemorySegment randomBf16(Arena arena, Random random, long count) {
        MemorySegment m = arena.allocate(2 * count, 16);
        for (long i = 0; i < count; i++) m.setAtIndex(ValueLayout.JAVA_SHORT, i, Bf16.bits(random.nextFloat() * 2 - 1));
        return m;
    }
}
