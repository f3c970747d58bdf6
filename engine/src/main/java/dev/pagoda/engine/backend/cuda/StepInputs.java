package dev.pagoda.engine.backend.cuda;

import dev.pagoda.engine.cuda.CudaDevice;
import dev.pagoda.engine.cuda.CudaStream;
import dev.pagoda.engine.cuda.DeviceBuffer;
import dev.pagoda.engine.cuda.PinnedBuffer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A step's metadata — token ids, positions, slots, query offsets, context lengths, block
 * tables, attention work lists, sampling parameters — written by the host into one pinned
 * buffer and moved to the device with a single asynchronous copy. Each array sits at a fixed
 * offset sized for the largest step, so the device addresses never change: a CUDA graph
 * captured once reads whatever the latest copy put there. Block tables come last, so a step
 * copies only the rows it uses.
 *
 * <p>Two pinned staging buffers take turns: with asynchronous scheduling the host writes step
 * N+1 while step N's copy may still be queued behind step N−1, so N+1 must not reuse N's buffer.
 * Step N+2 reuses it, and is written only after step N has finished.
 *
 * <pre>
 *   [tokenIds T][feedRows T][positions T][slots T][queryStart S+1][contextLens S][logitRows R][decodeSeqs S]
 *   [tileSeq P][tileRow P][copyPairs 2C][temperature R][topK R][topP R][minP R][counters R][maskRows R]
 *   [seeds R (8-byte)][blockTables S × maxBlocksPerSeq]         (int32 unless noted)
 *   token masks, a buffer of their own: [maskWords R × maskStride] uint32
 * </pre>
 *
 * <p>Structured-output rows carry a bitmask over the vocabulary ({@code maskStride} uint32 words
 * each); only the rows a step has are copied, in a second copy, so a step without structured
 * rows moves none of it.
 */
final class StepInputs implements AutoCloseable {

    final int maxTokens;
    final int maxSeqs;
    final int maxBlocksPerSeq;
    final int maxTiles;
    final int maxCopies;

    final long tokenIds;
    final long feedRows; // (T) the previous step's logit row whose sampled id is this row's token, or -1
    final long positions;
    final long slotMapping;
    final long queryStart;
    final long contextLens;
    final long logitRows;
    final long decodeSeqs;
    final long tileSeq;
    final long tileRow;
    final long copyPairs;
    final long temperature;
    final long topK;
    final long topP;
    final long minP;
    final long counters;
    final long maskRows; // (R) the row's bitmask row in the mask buffer, or -1
    final long seeds;
    final long blockTables;
    private final long totalBytes;

    final int maskStride; // uint32 words per bitmask row: the vocabulary rounded up to whole 64-bit words
    private final PinnedBuffer[] staging = new PinnedBuffer[2];
    private final PinnedBuffer[] maskStaging = new PinnedBuffer[2]; // (maxSeqs, maskStride) uint32 each
    private int current;
    private final DeviceBuffer device;
    private final DeviceBuffer masks; // (maxSeqs, maskStride) uint32

    StepInputs(CudaDevice cuda, int maxTokens, int maxSeqs, int maxBlocksPerSeq, int tileRows, int maxCopies, int vocab) {
        this.maxTokens = maxTokens;
        this.maxSeqs = maxSeqs;
        this.maxBlocksPerSeq = maxBlocksPerSeq;
        this.maxTiles = maxTokens / tileRows + maxSeqs;
        this.maxCopies = maxCopies;
        long at = 0;
        tokenIds = at; at += 4L * maxTokens;
        feedRows = at; at += 4L * maxTokens;
        positions = at; at += 4L * maxTokens;
        slotMapping = at; at += 4L * maxTokens;
        queryStart = at; at += 4L * (maxSeqs + 1);
        contextLens = at; at += 4L * maxSeqs;
        logitRows = at; at += 4L * maxSeqs;
        decodeSeqs = at; at += 4L * maxSeqs;
        tileSeq = at; at += 4L * maxTiles;
        tileRow = at; at += 4L * maxTiles;
        copyPairs = at; at += 8L * maxCopies;
        temperature = at; at += 4L * maxSeqs;
        topK = at; at += 4L * maxSeqs;
        topP = at; at += 4L * maxSeqs;
        minP = at; at += 4L * maxSeqs;
        counters = at; at += 4L * maxSeqs;
        maskRows = at; at += 4L * maxSeqs;
        at = align(at, 8);
        seeds = at; at += 8L * maxSeqs;
        at = align(at, 16);
        blockTables = at; at += 4L * maxSeqs * maxBlocksPerSeq;
        totalBytes = at;
        this.staging[0] = new PinnedBuffer(totalBytes);
        this.staging[1] = new PinnedBuffer(totalBytes);
        this.device = cuda.allocate(totalBytes);
        this.maskStride = 2 * Math.ceilDiv(vocab, 64);
        long maskBytes = 4L * maskStride * maxSeqs;
        this.maskStaging[0] = new PinnedBuffer(maskBytes);
        this.maskStaging[1] = new PinnedBuffer(maskBytes);
        this.masks = cuda.allocate(maskBytes);
    }

    /** Device address of the bitmask rows. */
    long maskWords() {
        return masks.address();
    }

    /**
     * Bitmask row {@code row}: {@code bits} over the vocabulary, bit {@code id % 64} of long
     * {@code id / 64} (little-endian: the same bits as uint32 word {@code id / 32}, bit {@code id % 32}).
     */
    void putMask(int row, long[] bits) {
        if (bits.length * 2L < maskStride) throw new IllegalArgumentException("a token mask of " + bits.length + " longs for rows of " + maskStride + " words");
        MemorySegment.copy(bits, 0, maskStaging[current].segment(), ValueLayout.JAVA_LONG, 4L * maskStride * row, maskStride / 2);
    }

    /** Queues the copy of the first {@code rows} bitmask rows onto {@code stream}. */
    void uploadMasks(int rows, CudaStream stream) {
        if (rows > 0) maskStaging[current].uploadAsync(masks.address(), 4L * maskStride * rows, stream);
    }

    private static long align(long v, long a) {
        return Math.ceilDiv(v, a) * a;
    }

    /** Device address of the array at {@code offset}. */
    long at(long offset) {
        return device.address() + offset;
    }

    MemorySegment host() {
        return staging[current].segment();
    }

    /** Makes staging buffer {@code slot} (0 or 1) the one written and uploaded; the executor alternates them per step. */
    void useStaging(int slot) {
        current = slot;
    }

    void putInts(long offset, int[] values, int count) {
        MemorySegment.copy(values, 0, host(), ValueLayout.JAVA_INT, offset, count);
    }

    void putInt(long offset, int index, int value) {
        host().set(ValueLayout.JAVA_INT, offset + 4L * index, value);
    }

    void putFloat(long offset, int index, float value) {
        host().set(ValueLayout.JAVA_FLOAT, offset + 4L * index, value);
    }

    void putLong(long offset, int index, long value) {
        host().set(ValueLayout.JAVA_LONG, offset + 8L * index, value);
    }

    /** Block table row {@code s}: its block ids, the rest of the row left as it was (never read). */
    void putBlockTable(int s, int[] table) {
        if (table.length > maxBlocksPerSeq) {
            throw new IllegalArgumentException("a block table of " + table.length + " blocks exceeds max-model-len's "
                    + maxBlocksPerSeq);
        }
        MemorySegment.copy(table, 0, host(), ValueLayout.JAVA_INT, blockTables + 4L * s * maxBlocksPerSeq, table.length);
    }

    /** Queues the copy of everything up to block table row {@code numSeqs} onto {@code stream}. */
    void upload(int numSeqs, CudaStream stream) {
        staging[current].uploadAsync(device.address(), blockTables + 4L * numSeqs * maxBlocksPerSeq, stream);
    }

    @Override
    public void close() {
        staging[0].close();
        staging[1].close();
        maskStaging[0].close();
        maskStaging[1].close();
        device.close();
        masks.close();
    }
}
