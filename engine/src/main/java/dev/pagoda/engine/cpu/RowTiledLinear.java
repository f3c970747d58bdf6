package dev.pagoda.engine.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/**
 * The driver every weight type shares: validates a call, splits output rows over the workers and
 * walks each worker's rows in tiles so a weight row is read from memory once per call.
 *
 * <p>Each subclass supplies two register-tiled kernels over its own storage layout: two rows
 * against up to four tokens (the batched case: each row is decoded once, four FMA chains use it)
 * and up to four rows against one token (the batch-1 case: four independent chains keep the FMA
 * units busy while the weights stream). Both must compute every (row, token) dot product with
 * the same operations in the same order, so a result never depends on which kernel or which
 * worker chunk produced it (multi-threaded output equals single-threaded output bit for bit).
 *
 * <p>Heavier decoders (F16, Q4_0, the K-quants) walk their rows in passes of one or two: C2 parses a
 * loop body once, but it stops inlining a method past a node budget, and a Vector API call left
 * un-inlined boxes every vector it touches (measured tens of times slower). Fewer decoders per
 * loop body keep each kernel inside that budget; the per-(row, token) arithmetic is unchanged.
 *
 * <p>A kernel asked for fewer than four rows or tokens repeats the last one; the duplicate lanes
 * recompute and rewrite the same value, which keeps the kernels branch-free.
 *
 * <p>An instance is not safe for concurrent {@link #forward} calls: the running call's
 * arguments live in fields so that the parallel body is one pre-built object (no allocation
 * per call).
 */
abstract class RowTiledLinear implements Linear {

    static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final int TILE = 4;
    /** Rows per work chunk: enough work to amortise a hand-off, small enough to balance. */
    private static final int MIN_ROWS_PER_CHUNK = 16;

    protected final MemorySegment weight; // (outF, rowBytes) raw rows in the type's block layout
    private final MemorySegment stored; // the weight as it was handed in; its scope guards `weight`
    private final String name;
    protected final long rowBytes;
    protected final int inF;
    protected final int outF;
    private final int maxTokens;
    private final Parallel parallel;
    private final Parallel.RangeBody rowRangeBody = this::rowRange;
    /** Activation bytes of all tokens that stay in L1 (32 KB) beside a row pair's weights. */
    private static final long L1_ACTIVATION_BYTES = 20 * 1024;
    /** Weight bytes of one row block in the batched walk: a quarter of a 512 KB L2. */
    private static final long ROW_BLOCK_BYTES = 128 * 1024;
    private final int rowsPerBlock; // even, at least TILE
    private final MethodHandle pairKernel = kernel("rowPairTimesTokens"); // (row, rows, t, count)
    private final MethodHandle rowsKernel = kernel("rowsTimesToken"); // (row, count, t)
    private final MethodHandle rangeKernel = kernel("rangeTimesFirstToken"); // (start, end)

    // The running call's arguments; Parallel's hand-off lock publishes them to the workers.
    protected MemorySegment in; // (tokens, inF) f32
    protected MemorySegment out; // (tokens, outF) f32
    private int tokens;

    RowTiledLinear(LinearShape shape, Parallel parallel) {
        this.weight = shape.weight();
        this.stored = shape.stored();
        this.name = shape.name();
        this.inF = shape.inFeatures();
        this.outF = shape.outFeatures();
        this.rowBytes = shape.rowBytes();
        this.maxTokens = shape.maxTokens();
        this.parallel = parallel;
        this.rowsPerBlock = (int) Math.max(TILE, Math.min(1 << 20, ROW_BLOCK_BYTES / rowBytes) & ~(TILE - 1));
    }

    @Override
    public final int inFeatures() {
        return inF;
    }

    @Override
    public final int outFeatures() {
        return outF;
    }

    @Override
    public final void forward(MemorySegment in, MemorySegment out, int tokens) {
        if (tokens < 1 || tokens > maxTokens) {
            throw new IllegalArgumentException(
                    "tokens must be in [1, " + maxTokens + "] (maxTokens of this layer), got " + tokens);
        }
        if (!stored.scope().isAlive()) {
            throw new IllegalStateException("linear weight " + name + " was closed (its file or arena is gone)");
        }
        requireBytes("in", in, (long) tokens * inF);
        requireBytes("out", out, (long) tokens * outF);
        int chunk = tokenChunk();
        try {
            for (int first = 0; first < tokens; first += chunk) {
                int count = Math.min(chunk, tokens - first);
                prepare(in, first, count);
                // slices only past the first chunk: layers with no chunk limit allocate nothing
                this.in = first == 0 ? in : in.asSlice((long) first * inF * Float.BYTES);
                this.out = first == 0 ? out : out.asSlice((long) first * outF * Float.BYTES);
                this.tokens = count;
                parallel.forRange(outF, MIN_ROWS_PER_CHUNK, rowRangeBody);
            }
        } finally {
            this.in = null;
            this.out = null;
        }
    }

    /** Bytes of one token's activations as the kernels read them: f32 unless a kernel converts them. */
    long activationBytesPerToken() {
        return (long) inF * Float.BYTES;
    }

    /** Most tokens one pass over the weight serves; a kernel with per-token scratch bounds it. */
    int tokenChunk() {
        return Integer.MAX_VALUE;
    }

    /**
     * Runs on the calling thread before the rows of tokens {@code [first, first + count)} of
     * {@code in} are multiplied (a kernel that converts its activations first does it here).
     */
    void prepare(MemorySegment in, int first, int count) {}

    private static void requireBytes(String name, MemorySegment segment, long floats) {
        if (segment == null) throw new IllegalArgumentException(name + " segment is null");
        if (segment.byteSize() < floats * Float.BYTES) {
            throw new IllegalArgumentException(name + " segment holds " + segment.byteSize()
                    + " bytes, needs " + floats * Float.BYTES + " (" + floats + " f32)");
        }
    }

    /**
     * Rows {@code [start, end)} for every token. When all tokens' activations fit in L1, each row
     * pair meets every token while its weights sit in L1. When they don't, the rows go in blocks
     * of about {@link #ROW_BLOCK_BYTES} of weights, which stay in L2 while every group of four
     * tokens passes over them, the group's activations in L1: walking all tokens per row pair
     * would re-read all activations (57 KB at 16 f32 tokens of 896) from L2 for every pair, twice
     * the L2 traffic (measured: F32 at 16 tokens 10-20% faster blocked, Q8_0 slower).
     */
    private void rowRange(int start, int end) {
        try {
            int n = tokens;
            if (n == 1) {
                rangeKernel.invokeExact(start, end);
                return;
            }
            int fullGroups = n / TILE * TILE;
            int rest = n - fullGroups;
            int rowsPerBlock = n * activationBytesPerToken() <= L1_ACTIVATION_BYTES ? 2 : this.rowsPerBlock;
            for (int block = start; block < end; block += rowsPerBlock) {
                int blockEnd = Math.min(end, block + rowsPerBlock);
                for (int t = 0; t < fullGroups; t += TILE) {
                    for (int row = block; row < blockEnd; row += 2) pairKernel.invokeExact(row, Math.min(2, blockEnd - row), t, TILE);
                }
                for (int row = block; rest > 1 && row < blockEnd; row += 2) {
                    pairKernel.invokeExact(row, Math.min(2, blockEnd - row), fullGroups, rest);
                }
                for (int r = block; rest == 1 && r < blockEnd; r += TILE) rowsKernel.invokeExact(r, Math.min(TILE, blockEnd - r), fullGroups);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * A kernel bound to this layer, called through a method handle held in an instance field.
     * C2 does not inline through a handle it cannot prove constant, so the kernel is compiled
     * on its own: inlined into {@link #rowRange} (which C2 does when one or two weight types are
     * in use) two kernels together overrun C2's inlining budget, and a Vector API call left
     * un-inlined boxes its vectors, measured tens of times slower. One indirect call per row
     * tile costs nothing by comparison.
     */
    private MethodHandle kernel(String name) {
        try {
            MethodType type = MethodType.methodType(void.class, int.class, int.class, int.class, int.class);
            if (name.equals("rowsTimesToken")) type = type.dropParameterTypes(3, 4);
            if (name.equals("rangeTimesFirstToken")) type = type.dropParameterTypes(2, 4);
            return MethodHandles.lookup().findVirtual(RowTiledLinear.class, name, type).bindTo(this);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("kernel " + name + " of " + getClass().getSimpleName(), e);
        }
    }

    /**
     * {@code out[t + j, row + i] = W[row + i] · in[t + j]} for {@code i < rows} (1..2) and
     * {@code j < count} (1..4): eight FMA chains share two decoded weight vectors and four
     * activation vectors, six loads for eight FMAs.
     */
    abstract void rowPairTimesTokens(int row, int rows, int t, int count);

    /** {@code out[t, row + j] = W[row + j] · in[t]} for {@code j < count} (count in 1..4). */
    abstract void rowsTimesToken(int row, int count, int t);

    /**
     * Rows {@code [start, end)} times token 0, the whole work of a one-token call. Four rows at a
     * time through {@link #rowsTimesToken}; a kernel whose rows need no tiling overrides it with
     * one loop, which saves entering a kernel (and its loop set-up) every four rows.
     */
    void rangeTimesFirstToken(int start, int end) {
        for (int r = start; r < end; r += TILE) rowsTimesToken(r, Math.min(TILE, end - r), 0);
    }

    /** Stores the lane sums of row {@code row}'s four token accumulators (duplicates rewrite). */
    final void storeTokens(int row, int t, int count, FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3) {
        MemorySegment y = out;
        y.set(F32_LE, outOffset(t, 0, count, row), Lanes.sum(a0));
        y.set(F32_LE, outOffset(t, 1, count, row), Lanes.sum(a1));
        y.set(F32_LE, outOffset(t, 2, count, row), Lanes.sum(a2));
        y.set(F32_LE, outOffset(t, 3, count, row), Lanes.sum(a3));
    }

    /** Stores the lane sums of token {@code t}'s four row accumulators (duplicates rewrite). */
    final void storeRows(int row, int count, int t, FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3) {
        MemorySegment y = out;
        y.set(F32_LE, outOffsetOfRow(t, row, 0, count), Lanes.sum(a0));
        y.set(F32_LE, outOffsetOfRow(t, row, 1, count), Lanes.sum(a1));
        y.set(F32_LE, outOffsetOfRow(t, row, 2, count), Lanes.sum(a2));
        y.set(F32_LE, outOffsetOfRow(t, row, 3, count), Lanes.sum(a3));
    }

    /** Stores the lane sum of {@code acc} as {@code out[t, row + min(j, count - 1)]}. */
    final void storeRow(int t, int row, int j, int count, FloatVector acc) {
        out.set(F32_LE, outOffsetOfRow(t, row, j, count), Lanes.sum(acc));
    }

    /** Byte offset of token {@code t + min(j, count - 1)} in {@code in}. */
    final long inOffset(int t, int j, int count) {
        return (long) (t + Math.min(j, count - 1)) * inF * Float.BYTES;
    }

    /** Byte offset of {@code out[t + min(j, count - 1), row]} (callers clamp {@code row} themselves). */
    final long outOffset(int t, int j, int count, int row) {
        return ((long) (t + Math.min(j, count - 1)) * outF + row) * Float.BYTES;
    }

    /** Byte offset of {@code out[t, row + min(j, count - 1)]}. */
    final long outOffsetOfRow(int t, int row, int j, int count) {
        return ((long) t * outF + row + Math.min(j, count - 1)) * Float.BYTES;
    }

    /** Byte offset of row {@code row + min(j, count - 1)} in {@code weight}. */
    final long rowOffset(int row, int j, int count) {
        return (row + Math.min(j, count - 1)) * rowBytes;
    }
}
