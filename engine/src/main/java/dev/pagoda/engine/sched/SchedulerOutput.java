package dev.pagoda.engine.sched;

import dev.pagoda.engine.kv.BlockCopy;
import dev.pagoda.engine.telemetry.StepStats.PrefixCacheStats;

import java.util.List;

/**
 * One step's work for the model runner: all scheduled tokens of all sequences form one flattened
 * batch, sequences back to back in list order.
 *
 * @param stepIndex            0 for the first step
 * @param sequences            who computes what
 * @param blockCopies          copy-on-write copies to execute before any K/V is written this step
 * @param finishedRequestIds   requests that ended (any reason) since the previous step; the runner
 *                             drops its per-request state for them
 * @param blockSize            tokens per KV block, for slot arithmetic
 * @param prefixCache          prefix-cache lookups of requests admitted this step
 * @param preemptions          requests preempted to make room this step
 */
public record SchedulerOutput(
        long stepIndex,
        List<ScheduledSequence> sequences,
        List<BlockCopy> blockCopies,
        List<String> finishedRequestIds,
        int blockSize,
        PrefixCacheStats prefixCache,
        int preemptions) {

    public SchedulerOutput {
        sequences = List.copyOf(sequences);
        blockCopies = List.copyOf(blockCopies);
        finishedRequestIds = List.copyOf(finishedRequestIds);
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

    /** (totalScheduledTokens) the KV slot each row writes. */
    public int[] slotMapping() {
        int[] out = new int[totalScheduledTokens()];
        int row = 0;
        for (ScheduledSequence s : sequences) for (int i = 0; i < s.numTokens(); i++) out[row++] = s.slot(i, blockSize);
        return out;
    }
}
