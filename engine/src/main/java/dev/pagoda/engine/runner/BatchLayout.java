package dev.pagoda.engine.runner;

import dev.pagoda.engine.model.ForwardBatch;
import dev.pagoda.engine.request.SequenceId;
import dev.pagoda.engine.sched.ScheduledSequence;
import java.util.ArrayList;
import java.util.List;

/**
 * A step's sequences flattened into one {@link ForwardBatch}, and, in logit-row order, the
 * sequences that sample, then the rows that score prompt tokens (vLLM's prompt_logprobs). Both
 * backends build it the same way, from what the runner keeps per sequence.
 *
 * @param sampling   logit rows {@code 0 .. sampling.size()-1}: one per sampling sequence
 * @param promptRows logit rows {@code sampling.size() ..}: one per prompt position scored
 */
public record BatchLayout(ForwardBatch batch, List<ScheduledSequence> sampling, List<PromptRow> promptRows) {

    /** What the layout reads of the runner's per-sequence state. */
    public interface HeldSequences {
        /** The sequence's block table as of this step (the runner's, not copied). */
        int[] blockTable(SequenceId sequence);

        /** Prompt positions this step of {@code s} scores ({@link ScheduledSequence#promptLogprobRows}). */
        int promptLogprobRows(ScheduledSequence s);

        /** The sequence's prompt token at {@code position}. */
        int promptToken(SequenceId sequence, int position);

        /** How many top logprobs each scored prompt position reports. */
        int promptLogprobs(SequenceId sequence);
    }

    /**
     * A row whose logits give the logprob of the prompt token after it.
     *
     * @param sequence whose row
     * @param position the prompt position scored (the row's own position + 1)
     * @param token    the prompt token at {@code position}
     * @param topN     top logprobs to report with it
     */
    public record PromptRow(SequenceId sequence, int position, int token, int topN) {}

    /** Logit rows in all: sampled and prompt-scoring. */
    public int logitRows() {
        return sampling.size() + promptRows.size();
    }

    public static BatchLayout of(List<ScheduledSequence> sequences, HeldSequences held, int blockSize) {
        int total = 0;
        int sampleCount = 0;
        int promptCount = 0;
        int[] promptRowsOf = new int[sequences.size()]; // (S)
        for (int s = 0; s < sequences.size(); s++) {
            ScheduledSequence seq = sequences.get(s);
            total += seq.numTokens();
            if (seq.sample()) sampleCount++;
            promptRowsOf[s] = held.promptLogprobRows(seq);
            promptCount += promptRowsOf[s];
        }
        int[] tokenIds = new int[total]; // (T)
        int[] positions = new int[total]; // (T)
        int[] slots = new int[total]; // (T)
        int[] queryStart = new int[sequences.size() + 1]; // (S + 1)
        int[] contextLens = new int[sequences.size()]; // (S)
        int[][] tables = new int[sequences.size()][]; // (S) block ids
        int[] logitRows = new int[sampleCount + promptCount]; // (R + P) sampled rows, then prompt-scoring rows
        List<ScheduledSequence> sampling = new ArrayList<>(sampleCount);
        List<PromptRow> promptRows = new ArrayList<>(promptCount);
        int row = 0;
        for (int s = 0; s < sequences.size(); s++) {
            ScheduledSequence seq = sequences.get(s);
            int[] table = held.blockTable(seq.id());
            int[] ids = seq.tokenIds();
            int first = row;
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
            for (int i = 0; i < promptRowsOf[s]; i++) {
                int position = seq.startPosition() + i + 1;
                logitRows[sampleCount + promptRows.size()] = first + i;
                promptRows.add(new PromptRow(seq.id(), position, held.promptToken(seq.id(), position), held.promptLogprobs(seq.id())));
            }
        }
        return new BatchLayout(new ForwardBatch(tokenIds, positions, slots, queryStart, contextLens, tables, logitRows),
                sampling, promptRows);
    }
}
