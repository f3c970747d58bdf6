package dev.pagoda.engine.cuda.model;

import dev.pagoda.engine.kv.BlockCopy;
import dev.pagoda.engine.model.ForwardBatch;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Runs one flattened step on a device and hands back what was sampled: {@link CudaStepExecutor}
 * on a GPU. The runner depends on this rather than on the GPU class, so its host-side logic
 * (which rows the host samples, failures, per-request state) is tested and its host overhead
 * measured without a GPU.
 */
public interface StepExecutor extends AutoCloseable {

    /**
     * What the device sampler needs for one logit row.
     *
     * @param hostLogits copy this row's logits back: the host samples it (logprobs, penalties, bias …)
     */
    record RowSampling(float temperature, int topK, float topP, float minP, long seed, int counter, boolean hostLogits) {}

    /** A step's sampled ids; {@link #logits} for rows that asked for host logits. */
    interface Result {
        int token(int row);

        /** The row's f32 logits (only for rows with {@code hostLogits}). */
        MemorySegment logits(int row);
    }

    Result run(ForwardBatch batch, List<BlockCopy> copies, RowSampling[] sampling);

    /** A line of totals for the log at close, e.g. steps, graph replays, host and GPU-wait time. */
    String describeTotals();

    @Override
    void close();
}
