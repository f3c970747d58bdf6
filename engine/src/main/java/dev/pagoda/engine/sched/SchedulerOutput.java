package dev.pagoda.engine.sched;

import dev.pagoda.engine.kv.BlockCopy;
import dev.pagoda.engine.request.SequenceId;
import dev.pagoda.engine.telemetry.StepStats.PrefixCacheStats;

import java.util.List;

/**
 * One step's work for the model runner, as data only (vLLM V1's {@code SchedulerOutput}): no
 * live request crosses to the runner. Sequences it has not seen come once, in
 * {@code newSequences}; every scheduled sequence is then named by id with its tokens and block-table
 * change ({@link ScheduledSequence}); all scheduled tokens form one flattened batch, sequences
 * back to back in list order.
 *
 * @param stepIndex            0 for the first step
 * @param newSequences         sequences scheduled for the first time: what the runner keeps about them
 * @param sequences            who computes what, in batch order
 * @param blockCopies          copy-on-write copies to execute before any K/V is written this step
 * @param finishedSequenceIds  sequences that ended (any reason) since the previous step; the runner
 *                             drops its per-sequence state for them
 * @param blockSize            tokens per KV block, for slot arithmetic
 * @param prefixCache          prefix-cache lookups of requests admitted this step
 * @param preemptions          requests preempted to make room this step
 */
public record SchedulerOutput(
        long stepIndex,
        List<NewSequence> newSequences,
        List<ScheduledSequence> sequences,
        List<BlockCopy> blockCopies,
        List<SequenceId> finishedSequenceIds,
        int blockSize,
        PrefixCacheStats prefixCache,
        int preemptions) {

    public SchedulerOutput {
        newSequences = List.copyOf(newSequences);
        sequences = List.copyOf(sequences);
        blockCopies = List.copyOf(blockCopies);
        finishedSequenceIds = List.copyOf(finishedSequenceIds);
    }

    public boolean isEmpty() {
        return sequences.isEmpty();
    }

    public int totalScheduledTokens() {
        int n = 0;
        for (ScheduledSequence s : sequences) n += s.numTokens();
        return n;
    }

    /** (numSequences + 1) offsets of each sequence's first row in the flattened batch. */
    public int[] queryStartOffsets() {
        int[] out = new int[sequences.size() + 1];
        for (int i = 0; i < sequences.size(); i++) out[i + 1] = out[i] + sequences.get(i).numTokens();
        return out;
    }
}
