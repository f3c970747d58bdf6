package dev.pagoda.engine.backend.cuda;

import dev.pagoda.engine.cuda.CudaEvent;
import dev.pagoda.engine.cuda.CudaGraph;
import dev.pagoda.engine.cuda.CudaStream;
import dev.pagoda.engine.cuda.CudaTimeline;
import dev.pagoda.engine.cuda.PinnedBuffer;
import dev.pagoda.engine.cuda.kernels.CudaKernels;
import dev.pagoda.engine.kv.BlockCopy;
import dev.pagoda.engine.model.ForwardBatch;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one step of a {@link CudaModel}: writes the step's metadata, uploads it with one copy,
 * launches the forward pass and the device sampler, and brings back the sampled ids (plus the
 * logits of rows the host must sample itself).
 *
 * <p>Decode-only steps (every sequence one query token, every one sampled) run as CUDA graphs,
 * one per batch-size bucket (1, 2, 4, 8, … up to max-num-seqs), padded with empty sequences —
 * context length 0, slot −1 — that the kernels skip. A bucket's graph is captured the first time
 * a step of that size runs eagerly, and replayed after that: ~0.7 µs a kernel instead of ~4 µs
 * for each JNI launch, hundreds of launches a step. Prefill and mixed steps run eagerly.
 *
 * <p>{@link #launch} only queues: the host returns to schedule the next step while this one
 * runs. Each launch takes one of two slots (pinned staging for its inputs, pinned sampled ids,
 * a completion event) in turn, so a launched step's buffers stay untouched until it is awaited.
 * A step whose tokens were sampled by the step before it reads them on the device
 * ({@code fill_pending_tokens}), never through the host.
 */
public final class CudaStepExecutor implements StepExecutor {


    /** Sampling of a graph bucket's padding rows: greedy, nothing copied back (their ids are ignored). */
    private static final RowSampling PADDING_ROW = new RowSampling(0f, 0, 1f, 0f, 0L, 0, false);

    private final CudaModel model;
    private final StepInputs in;
    private final CudaStream stream;
    private final boolean useGraphs;
    private final Map<Integer, CudaGraph> graphs = new HashMap<>();
    private final PinnedBuffer[] sampledIds = new PinnedBuffer[2]; // per slot: (maxSeqs) int32
    private final CudaEvent[] started = new CudaEvent[2]; // per slot: recorded before the step's first copy
    private final CudaEvent[] done = new CudaEvent[2]; // per slot: recorded after the step's copies back
    private final DevicePending[] outstanding = new DevicePending[2]; // per slot: launched, not yet awaited
    private long launches;
    private final long rowBytes;
    private PinnedBuffer hostLogits; // (maxSeqs, V) f32, made on first need
    private long graphReplays;
    private long eagerSteps;
    private long runNanos; // inside run(): host preparation + launches + waiting
    private long waitNanos; // of which waiting for the GPU
    private long gpuBusyNanos; // device time from each step's first copy to its last
    private long firstLaunchNanos = -1;
    private long lastResultNanos;
    private Thread deviceThread; // the runtime's current device is per thread: set it when the caller changes

    public CudaStepExecutor(CudaModel model, boolean useGraphs) {
        this.model = model;
        this.in = model.inputs;
        this.stream = model.stream();
        this.useGraphs = useGraphs;
        for (int i = 0; i < 2; i++) {
            sampledIds[i] = new PinnedBuffer(4L * in.maxSeqs);
            started[i] = new CudaEvent(true);
            done[i] = new CudaEvent(true);
        }
        this.rowBytes = 4L * model.vocabSize();
    }

    /** Sampled ids of a step, read from its slot's pinned buffer; {@link #logits} for rows that asked for host logits. */
    public final class DeviceResult implements Result {
        private final int slot;
        private final int rows;

        private DeviceResult(int slot, int rows) {
            this.slot = slot;
            this.rows = rows;
        }

        @Override
        public int token(int row) {
            if (row < 0 || row >= rows) throw new IndexOutOfBoundsException("row " + row + " of " + rows);
            return sampledIds[slot].segment().getAtIndex(ValueLayout.JAVA_INT, row);
        }

        @Override
        public MemorySegment logits(int row) {
            if (row < 0 || row >= rows) throw new IndexOutOfBoundsException("row " + row + " of " + rows);
            return hostLogits.segment().asSlice(row * rowBytes, rowBytes);
        }
    }

    /** A launched step: waits on its slot's event once, then reads its slot's buffers. */
    private final class DevicePending implements Pending {
        private final int slot;
        private final int rows;
        private Result result;

        DevicePending(int slot, int rows) {
            this.slot = slot;
            this.rows = rows;
        }

        @Override
        public Result await() {
            if (result == null) {
                long start = System.nanoTime();
                done[slot].synchronize();
                long waited = System.nanoTime() - start;
                waitNanos += waited;
                runNanos += waited;
                gpuBusyNanos += (long) (done[slot].millisSince(started[slot]) * 1e6);
                lastResultNanos = System.nanoTime();
                outstanding[slot] = null;
                result = new DeviceResult(slot, rows);
            }
            return result;
        }
    }

    @Override
    public Pending launch(ForwardBatch batch, List<BlockCopy> copies, RowSampling[] sampling, int[] feedRows) {
        long start = System.nanoTime();
        if (firstLaunchNanos < 0) firstLaunchNanos = start;
        try {
            int slot = beginSlot();
            Prepared p = prepare(batch, copies, sampling, useGraphs, feedRows);
            CudaGraph graph = p.graphBatch > 0 ? graphs.get(p.graphBatch) : null;
            if (graph != null) {
                graph.launch(stream);
                graphReplays++;
            } else {
                model.forward(p.tokens, p.numDecode, p.numTiles, p.rows);
                eagerSteps++;
                if (p.graphBatch > 0) capture(p.graphBatch);
            }
            return queueResults(slot, batch.logitRows().length, sampling);
        } finally {
            runNanos += System.nanoTime() - start;
        }
    }

    /** Takes the next step's slot: its staging buffer is the one written, its start is marked on the stream. */
    private int beginSlot() {
        int slot = (int) (launches & 1);
        if (outstanding[slot] != null) {
            throw new IllegalStateException("launch " + launches + " would reuse the buffers of launch " + (launches - 2)
                    + ", which was never awaited");
        }
        launches++;
        in.useStaging(slot);
        started[slot].record(stream);
        return slot;
    }

    /**
     * Runs a step eagerly with every operation marked on {@code timeline} (profiling tools), or,
     * with {@code graphed}, as its decode graph between two marks "start" and "graph".
     */
    public Result profile(ForwardBatch batch, RowSampling[] sampling, CudaTimeline timeline, boolean graphed) {
        if (outstanding[0] != null || outstanding[1] != null) throw new IllegalStateException("profile() with launched steps not awaited");
        int slot = beginSlot();
        Prepared p = prepare(batch, List.of(), sampling, graphed, null);
        if (graphed) {
            if (p.graphBatch == 0) throw new IllegalArgumentException("not a decode-only step: no graph");
            CudaGraph graph = graphs.get(p.graphBatch);
            if (graph == null) {
                model.forward(p.graphBatch, p.graphBatch, 0, p.graphBatch); // warm-up: cuBLAS picks its kernels outside capture
                graph = capture(p.graphBatch);
            }
            timeline.mark("start", stream);
            graph.launch(stream);
            timeline.mark("graph", stream);
        } else {
            model.forward(p.tokens, p.numDecode, p.numTiles, p.rows, timeline);
        }
        return queueResults(slot, batch.logitRows().length, sampling).await();
    }

    /** Captures (and keeps) the decode graph of batch bucket {@code b}; the bucket's inputs are in place. */
    private CudaGraph capture(int b) {
        CudaGraph graph = CudaGraph.capture(stream, () -> model.forward(b, b, 0, b));
        graphs.put(b, graph);
        return graph;
    }

    private record Prepared(int tokens, int numDecode, int numTiles, int rows, int graphBatch) {}

    private Prepared prepare(ForwardBatch batch, List<BlockCopy> copies, RowSampling[] sampling, boolean graphs, int[] feedRows) {
        if (Thread.currentThread() != deviceThread) {
            model.makeDeviceCurrent();
            deviceThread = Thread.currentThread();
        }
        int tokens = batch.numTokens();
        int seqs = batch.numSeqs();
        int rows = batch.logitRows().length;
        if (tokens > in.maxTokens) throw new IllegalArgumentException("step has " + tokens + " tokens, buffers hold " + in.maxTokens);
        if (seqs > in.maxSeqs || rows > in.maxSeqs) {
            throw new IllegalArgumentException("step has " + seqs + " sequences, buffers hold " + in.maxSeqs);
        }
        if (sampling.length != rows) throw new IllegalArgumentException(rows + " logit rows but " + sampling.length + " sampling rows");
        if (feedRows != null && feedRows.length != tokens) {
            throw new IllegalArgumentException(tokens + " token rows but " + feedRows.length + " feed rows");
        }

        int graphBatch = graphs ? graphBucket(batch) : 0;
        int paddedSeqs = Math.max(seqs, graphBatch);
        writeCommon(batch, sampling, paddedSeqs);
        int numDecode = 0;
        int numTiles = 0;
        int tileRows = CudaKernels.prefillTileRows();
        int[] qs = batch.queryStart();
        for (int s = 0; s < seqs; s++) {
            int qlen = qs[s + 1] - qs[s];
            if (qlen == 1) {
                in.putInt(in.decodeSeqs, numDecode++, s);
            } else {
                for (int r = qs[s]; r < qs[s + 1]; r += tileRows) {
                    in.putInt(in.tileSeq, numTiles, s);
                    in.putInt(in.tileRow, numTiles++, r);
                }
            }
        }
        for (int s = seqs; s < paddedSeqs; s++) in.putInt(in.decodeSeqs, numDecode++, s);
        int copyCount = writeCopies(copies);
        if (feedRows != null) in.putInts(in.feedRows, feedRows, tokens);
        int masked = writeMasks(sampling, paddedSeqs);
        in.upload(paddedSeqs, stream);
        in.uploadMasks(masked, stream);
        if (feedRows != null) model.fillPendingTokens(tokens); // reads the previous step's sampled ids, still on the device
        model.copyBlocks(copyCount);
        return graphBatch > 0
                ? new Prepared(graphBatch, numDecode, 0, graphBatch, graphBatch)
                : new Prepared(tokens, numDecode, numTiles, rows, 0);
    }

    /**
     * Queues the copies back into {@code slot} and its completion event. Host logits have one
     * buffer: a step with host rows is awaited before the next launch (the runner must sample
     * it before it knows the next step's tokens).
     */
    private DevicePending queueResults(int slot, int rows, RowSampling[] sampling) {
        if (rows > 0) sampledIds[slot].downloadAsync(model.outTokens(), 0, 4L * rows, stream);
        for (int r = 0; r < rows; r++) {
            if (sampling[r].hostLogits()) {
                if (hostLogits == null) hostLogits = new PinnedBuffer(in.maxSeqs * rowBytes);
                hostLogits.downloadAsync(model.logits() + r * rowBytes, r * rowBytes, rowBytes, stream);
            }
        }
        done[slot].record(stream);
        DevicePending pending = new DevicePending(slot, rows);
        outstanding[slot] = pending;
        return pending;
    }

    /** The graph bucket for a decode-only step, or 0 when the step must run eagerly. */
    private int graphBucket(ForwardBatch batch) {
        return graphBucket(batch, in.maxSeqs, in.maxTokens);
    }

    /**
     * The batch size whose graph runs {@code batch}: the next power of two at or above its
     * sequence count, when every sequence has one query row and samples it (a decode-only step)
     * and the bucket fits the buffers; 0 otherwise (the step runs eagerly).
     */
    static int graphBucket(ForwardBatch batch, int maxSeqs, int maxTokens) {
        int seqs = batch.numSeqs();
        if (batch.numTokens() != seqs || batch.logitRows().length != seqs) return 0;
        int[] rows = batch.logitRows();
        for (int r = 0; r < seqs; r++) if (rows[r] != r) return 0;
        int bucket = Integer.highestOneBit(seqs);
        if (bucket < seqs) bucket <<= 1;
        return bucket <= maxSeqs && bucket <= maxTokens ? bucket : 0;
    }

    private void writeCommon(ForwardBatch batch, RowSampling[] sampling, int paddedSeqs) {
        int tokens = batch.numTokens();
        int seqs = batch.numSeqs();
        in.putInts(in.tokenIds, batch.tokenIds(), tokens);
        in.putInts(in.positions, batch.positions(), tokens);
        in.putInts(in.slotMapping, batch.slotMapping(), tokens);
        in.putInts(in.queryStart, batch.queryStart(), seqs + 1);
        in.putInts(in.contextLens, batch.contextLens(), seqs);
        in.putInts(in.logitRows, batch.logitRows(), batch.logitRows().length);
        for (int s = 0; s < seqs; s++) in.putBlockTable(s, batch.blockTables()[s]);
        for (int r = 0; r < sampling.length; r++) putSampling(r, sampling[r]);
        // padding of a graph bucket: empty sequences whose one row writes no K/V and attends to nothing
        for (int s = seqs; s < paddedSeqs; s++) {
            int row = tokens + (s - seqs);
            in.putInt(in.tokenIds, row, 0);
            in.putInt(in.positions, row, 0);
            in.putInt(in.slotMapping, row, -1);
            in.putInt(in.queryStart, s + 1, row + 1);
            in.putInt(in.contextLens, s, 0);
            in.putInt(in.logitRows, s, row);
            putSampling(s, PADDING_ROW);
        }
    }

    private void putSampling(int r, RowSampling p) {
        in.putFloat(in.temperature, r, p.temperature());
        in.putInt(in.topK, r, p.topK());
        in.putFloat(in.topP, r, p.topP());
        in.putFloat(in.minP, r, p.minP());
        in.putLong(in.seeds, r, p.seed());
        in.putInt(in.counters, r, p.counter());
    }

    /**
     * Each row's bitmask row (-1 for none, padding included) and the bitmasks of the rows the
     * device samples under a structured-output constraint, packed; returns how many.
     */
    private int writeMasks(RowSampling[] sampling, int paddedRows) {
        int masked = 0;
        for (int r = 0; r < paddedRows; r++) {
            long[] bits = r < sampling.length && !sampling[r].hostLogits() ? sampling[r].tokenMask() : null;
            if (bits == null) {
                in.putInt(in.maskRows, r, -1);
            } else {
                in.putMask(masked, bits);
                in.putInt(in.maskRows, r, masked++);
            }
        }
        return masked;
    }

    private int writeCopies(List<BlockCopy> copies) {
        if (copies.size() > in.maxCopies) {
            throw new IllegalStateException("step asks for " + copies.size() + " block copies, buffers hold " + in.maxCopies);
        }
        for (int i = 0; i < copies.size(); i++) {
            in.putInt(in.copyPairs, 2 * i, copies.get(i).src());
            in.putInt(in.copyPairs, 2 * i + 1, copies.get(i).dst());
        }
        return copies.size();
    }

    /** Decode steps replayed from a graph so far. */
    public long graphReplays() {
        return graphReplays;
    }

    public long eagerSteps() {
        return eagerSteps;
    }

    /**
     * e.g. "1000 steps (900 graph replays, 100 eager); 20.1 s in the runner, 19.5 s of it waiting
     * for the GPU; GPU busy 20.3 s of the 20.4 s from the first launch to the last result (99.5%)".
     * The busy share says how much the device waited on the host (idle engine periods count as waiting).
     */
    @Override
    public String describeTotals() {
        double span = Math.max(1, lastResultNanos - firstLaunchNanos) / 1e9;
        return String.format(java.util.Locale.ROOT, "%d steps (%d graph replays, %d eager); %.2f s in the runner, %.2f s of it "
                        + "waiting for the GPU; GPU busy %.2f s of the %.2f s from the first launch to the last result (%.1f%%)",
                graphReplays + eagerSteps, graphReplays, eagerSteps, runNanos / 1e9, waitNanos / 1e9, gpuBusyNanos / 1e9, span,
                100 * gpuBusyNanos / 1e9 / span);
    }

    @Override
    public void close() {
        for (CudaGraph g : graphs.values()) g.close();
        graphs.clear();
        stream.synchronize(); // nothing queued may outlive the buffers it writes
        for (int i = 0; i < 2; i++) {
            sampledIds[i].close();
            started[i].close();
            done[i].close();
        }
        if (hostLogits != null) hostLogits.close();
    }
}
