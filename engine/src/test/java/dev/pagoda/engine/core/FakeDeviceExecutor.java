package dev.pagoda.engine.core;

import dev.pagoda.engine.backend.cuda.StepExecutor;
import dev.pagoda.engine.runner.CudaModelRunner;
import dev.pagoda.engine.runner.ModelRunner;
import dev.pagoda.engine.sample.SamplerVocab;
import dev.pagoda.engine.kv.BlockCopy;
import dev.pagoda.engine.model.ForwardBatch;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A stand-in for the GPU behind {@code CudaModelRunner}: a "model" whose logits for a row depend
 * only on the row's token, {@code logit[v] = -|v - next(token)|}, so greedy decoding follows
 * {@link #next} and a test can compute the expected chain itself. Greedy device rows return
 * that argmax — among the tokens a row's structured-output mask allows, when it has one (the
 * allowed token closest to {@code next}, -1 when none is) — and rows with {@code hostLogits}
 * get the logits row. A token listed in
 * {@link #poisonToken} gets NaN logits (host rows) or an id outside the vocabulary (device rows).
 *
 * <p>Like the GPU, it computes a step when launched and keeps that step's sampled ids "on the
 * device": a later launch's pending tokens ({@code feedRows}) read them, never the host. It
 * checks the contract the engine must keep: at most two launched steps outstanding, awaited in
 * launch order, and no pending token left unfed.
 */
final class FakeDeviceExecutor implements StepExecutor {

    final int vocab;
    private final int maxRows;
    final List<RowSampling[]> seen = new ArrayList<>();
    volatile int poisonToken = -1;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment logits;
    private int[] tokens = new int[0]; // the last launched step's sampled ids, as on the device
    private long steps;
    private final java.util.ArrayDeque<Long> outstanding = new java.util.ArrayDeque<>();
    int maxOutstanding;
    int fedTokens;
    /** Launches made while a step with structured-output (masked) device rows was still outstanding: its next masks could not be known. */
    int launchesAheadOfAMaskedStep;
    int maskedRows;
    private long lastMaskedLaunch = -1;

    FakeDeviceExecutor(int vocab, int maxRows) {
        this.vocab = vocab;
        this.maxRows = maxRows;
        this.logits = arena.allocate(4L * vocab * maxRows);
    }

    /**
     * For {@code EngineHarness.start}: closes the engine's CPU runner unused and puts a
     * {@link CudaModelRunner} over this device in its place.
     */
    UnaryOperator<ModelRunner> replacingCpuRunner() {
        return replacingCpuRunner(new SamplerVocab(vocab, List.of()));
    }

    /** As {@link #replacingCpuRunner()}, with the runner's vocabulary (EOS ids, structured-output compiler) given. */
    UnaryOperator<ModelRunner> replacingCpuRunner(SamplerVocab samplerVocab) {
        return cpu -> {
            cpu.close();
            return new CudaModelRunner(this, () -> {}, samplerVocab, maxRows);
        };
    }

    /** The {@code n} tokens greedy decoding makes after {@code last}: computed from {@link #next}, not by the device. */
    static int[] chain(int last, int n, int vocab) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = last = next(last, vocab);
        return out;
    }

    static int next(int token, int vocab) {
        return (token * 7 + 3) % vocab;
    }

    @Override
    public Pending launch(ForwardBatch batch, List<BlockCopy> copies, RowSampling[] sampling, int[] feedRows) {
        if (outstanding.size() == 2) throw new IllegalStateException("a third step launched before the first was awaited");
        long id = steps++;
        if (lastMaskedLaunch >= 0 && outstanding.contains(lastMaskedLaunch)) launchesAheadOfAMaskedStep++;
        for (RowSampling row : sampling) {
            if (!row.hostLogits() && row.tokenMask() != null) {
                maskedRows++;
                lastMaskedLaunch = id;
            }
        }
        outstanding.addLast(id);
        maxOutstanding = Math.max(maxOutstanding, outstanding.size());
        int[] input = batch.tokenIds().clone();
        for (int t = 0; t < input.length; t++) {
            if (feedRows != null && feedRows[t] >= 0) {
                if (input[t] != -1) throw new IllegalStateException("row " + t + " fed although its token is known");
                input[t] = tokens[feedRows[t]];
                fedTokens++;
            } else if (input[t] < 0) {
                throw new IllegalStateException("row " + t + " has pending token " + input[t] + " and no feed");
            }
        }
        Result result = compute(batch, input, sampling);
        return () -> {
            Long first = outstanding.peekFirst();
            if (first == null || first != id) {
                if (!outstanding.contains(id)) return result; // awaited before: same result
                throw new IllegalStateException("step " + id + " awaited before step " + first);
            }
            outstanding.removeFirst();
            return result;
        };
    }

    private Result compute(ForwardBatch batch, int[] input, RowSampling[] sampling) {
        int rows = batch.logitRows().length;
        seen.add(sampling.clone());
        int[] tokens = new int[rows];
        for (int r = 0; r < rows; r++) {
            int token = input[batch.logitRows()[r]];
            int best = next(token, vocab);
            boolean poisoned = token == poisonToken;
            long[] mask = sampling[r].hostLogits() ? null : sampling[r].tokenMask();
            tokens[r] = poisoned ? vocab + 5 : mask == null ? best : closestAllowed(best, mask);
            if (sampling[r].hostLogits()) {
                for (int v = 0; v < vocab; v++) {
                    float value = poisoned ? Float.NaN : -Math.abs(v - best);
                    logits.setAtIndex(ValueLayout.JAVA_FLOAT, (long) r * vocab + v, value);
                }
            }
        }
        this.tokens = tokens;
        int[] result = tokens;
        return new Result() {
            @Override
            public int token(int row) {
                return result[row];
            }

            @Override
            public MemorySegment logits(int row) {
                return logits.asSlice(4L * vocab * row, 4L * vocab);
            }
        };
    }

    /** The allowed token nearest {@code best} (the argmax of -|v - best| over allowed v, ties to the lower id), or -1. */
    private int closestAllowed(int best, long[] mask) {
        for (int d = 0; d < vocab; d++) {
            for (int v : new int[] {best - d, best + d}) {
                if (v >= 0 && v < vocab && (mask[v >>> 6] & (1L << v)) != 0) return v;
            }
        }
        return -1;
    }

    @Override
    public String describeTotals() {
        return steps + " fake steps";
    }

    @Override
    public void close() {
        arena.close();
    }
}
