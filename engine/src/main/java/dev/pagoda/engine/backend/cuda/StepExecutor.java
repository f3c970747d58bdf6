package dev.pagoda.engine.backend.cuda;

import dev.pagoda.engine.kv.BlockCopy;
import dev.pagoda.engine.model.ForwardBatch;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Runs one flattened step on a device and hands back what was sampled: {@link CudaStepExecutor}
 * on a GPU. Launching and waiting are separate so the host can schedule the next step while the
 * device computes this one. The runner depends on this rather than on the GPU class, so its host-side logic
 * (which rows the host samples, failures, per-request state) is tested and its host overhead
 * measured without a GPU.
 */
public interface StepExecutor extends AutoCloseable {

    /**
     * What the device sampler needs for one logit row.
     *
     * @param hostLogits copy this row's logits back: the host samples it (logprobs, penalties, bias …)
     * @param tokenMask  the structured-output tokens allowed, as a bitmask over the vocabulary (bit
     *                   {@code id % 64} of word {@code id / 64}), read at launch; null for none
     */
    record RowSampling(float temperature, int topK, float topP, float minP, long seed, int counter, boolean hostLogits, long[] tokenMask) {

        /** Without a token mask. */
        public RowSampling(float temperature, int topK, float topP, float minP, long seed, int counter, boolean hostLogits) {
            this(temperature, topK, topP, minP, seed, counter, hostLogits, null);
        }
    }

    /** A step's sampled ids; {@link #logits} for rows that asked for host logits. */
    interface Result {
        int token(int row);

        /** The row's f32 logits (only for rows with {@code hostLogits}). */
        MemorySegment logits(int row);
    }

    /** A launched step; its result is read after the device finished it. */
    interface Pending {
        /** Waits for the step and returns what it sampled; later calls return the same result. */
        Result await();
    }

    /**
     * Queues one step and returns without waiting for the device. At most two launched steps
     * may be outstanding; await them in launch order, each before the launch after next.
     *
     * @param feedRows one entry per token row, or null: {@code >= 0} where the row's token is
     *                 the id that the previously launched step sampled at that logit row (the
     *                 scheduler's placeholder), −1 elsewhere
     */
    Pending launch(ForwardBatch batch, List<BlockCopy> copies, RowSampling[] sampling, int[] feedRows);

    /** Runs one step to completion (no token fed forward). */
    default Result run(ForwardBatch batch, List<BlockCopy> copies, RowSampling[] sampling) {
        return launch(batch, copies, sampling, null).await();
    }

    /** A line of totals for the log at close, e.g. steps, graph replays, host and GPU-wait time. */
    String describeTotals();

    @Override
    void close();
}
