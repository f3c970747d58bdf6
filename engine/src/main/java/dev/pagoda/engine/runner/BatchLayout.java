package dev.pagoda.engine.runner;

import dev.pagoda.engine.model.ForwardBatch;
import dev.pagoda.engine.request.SequenceId;
import dev.pagoda.engine.sched.ScheduledSequence;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A step's sequences flattened into one {@link ForwardBatch}, and, in logit-row order, the
 * sequences that sample. Both backends build it the same way, from the block tables the runner
 * keeps per sequence.
 */
public record BatchLayout(ForwardBatch batch, List<ScheduledSequence> sampling) {

    /** @param blockTables each sequence's current block table (the runner's, not copied) */
    public static BatchLayout of(List<ScheduledSequence> sequences, Function<SequenceId, int[]> blockTables, int blockSize) {
        int total = 0;
        int sampleCount = 0;
        for (ScheduledSequence s : sequences) {
            total += s.numTokens();
            if (s.sample()) sampleCount++;
        }
        int[] tokenIds = new int[total]; // (T)
        int[] positions = new int[total]; // (T)
        int[] slots = new int[total]; // (T)
        int[] queryStart = new int[sequences.size() + 1]; // (S + 1)
        int[] contextLens = new int[sequences.size()]; // (S)
        int[][] tables = new int[sequences.size()][]; // (S) block ids
        int[] logitRows = new int[sampleCount]; // (R)
        List<ScheduledSequence> sampling = new ArrayList<>(sampleCount);
        int row = 0;
        for (int s = 0; s < sequences.size(); s++) {
            ScheduledSequence seq = sequences.get(s);
            int[] table = blockTables.apply(seq.id());
            int[] ids = seq.tokenIds();
            for (int i = 0; i < ids.length; i++, row++) {
                tokenIds[row] = ids[i];
                positions[row] = seq.startPosition() + i;
                slots[row] = seq.slot(table, i, blockSize);
            }
            queryStart[s + 1] = row;
            contextLens[s] = seq.sequenceLength();
            tables[s] = table;
            if (seq.sample()) {
                logitRows[sampling.size()] = row - 1;
                sampling.add(seq);
            }
        }
        return new BatchLayout(new ForwardBatch(tokenIds, positions, slots, queryStart, contextLens, tables, logitRows),
                sampling);
    }
}

