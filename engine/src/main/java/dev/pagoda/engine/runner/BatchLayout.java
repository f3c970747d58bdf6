package dev.pagoda.engine.runner;

import dev.pagoda.engine.model.ForwardBatch;
import dev.pagoda.engine.sched.ScheduledSequence;
import java.util.ArrayList;
import java.util.List;

/**
 * A step's sequences flattened into one {@link ForwardBatch}, and, in logit-row order, the
 * sequences that sample, then the rows that score prompt tokens (vLLM's prompt_logprobs). Both
 * backends build it the same way.
 *
 * @param sampling   logit rows {@code 0 .. sampling.size()-1}: one per sampling sequence
 * @param promptRows logit rows {@code sampling.size() ..}: one per prompt position scored
 */
public record BatchLayout(ForwardBatch batch, List<ScheduledSequence> sampling, List<PromptRow> promptRows) {

    /**
     * A row whose logits give the logprob of the prompt token after it.
     *
     * @param sequence whose row
     * @param position the prompt position scored (the row's own position + 1)
     * @param token    the prompt token at {@code position}
     */
    public record PromptRow(ScheduledSequence sequence, int position, int token) {}

    /** Logit rows in all: sampled and prompt-scoring. */
    public int logitRows() {
        return sampling.size() + promptRows.size();
    }

    public static BatchLayout of(List<ScheduledSequence> sequences, int blockSize) {
        int total = 0;
        int sampleCount = 0;
        int promptCount = 0;
        for (ScheduledSequence s : sequences) {
            total += s.numTokens();
            if (s.sample()) sampleCount++;
            promptCount += s.promptLogprobRows();
        }
        int[] tokenIds = new int[total]; // (T)
        int[] positions = new int[total]; // (T)
        int[] slots = new int[total]; // (T)
        int[] queryStart = new int[sequences.size() + 1]; // (S + 1)
        int[] contextLens = new int[sequences.size()]; // (S)
        int[][] blockTables = new int[sequences.size()][]; // (S) block ids
        int[] logitRows = new int[sampleCount + promptCount]; // (R + P) sampled rows, then prompt-scoring rows
        List<ScheduledSequence> sampling = new ArrayList<>(sampleCount);
        List<PromptRow> promptRows = new ArrayList<>(promptCount);
        int row = 0;
        for (int s = 0; s < sequences.size(); s++) {
            ScheduledSequence seq = sequences.get(s);
            int[] ids = seq.tokenIds();
            int first = row;
            for (int i = 0; i < ids.length; i++, row++) {
                tokenIds[row] = ids[i];
                positions[row] = seq.startPosition() + i;
                slots[row] = seq.slot(i, blockSize);
            }
            queryStart[s + 1] = row;
            contextLens[s] = seq.sequenceLength();
            blockTables[s] = seq.blockTable();
            if (seq.sample()) {
                logitRows[sampling.size()] = row - 1;
                sampling.add(seq);
            }
            for (int i = 0; i < seq.promptLogprobRows(); i++) {
                int position = seq.startPosition() + i + 1;
                logitRows[sampleCount + promptRows.size()] = first + i;
                promptRows.add(new PromptRow(seq, position, seq.sampling().history().tokenAt(position)));
            }
        }
        return new BatchLayout(new ForwardBatch(tokenIds, positions, slots, queryStart, contextLens, blockTables, logitRows),
                sampling, promptRows);
    }
}
