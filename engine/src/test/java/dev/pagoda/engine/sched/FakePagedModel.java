package dev.pagoda.engine.sched;

import dev.pagoda.engine.kv.BlockCopy;
import dev.pagoda.engine.request.SequenceId;
import dev.pagoda.engine.sample.SampledToken;
import dev.pagoda.engine.sample.SamplingParams;

import java.util.HashMap;
import java.util.Map;

/**
 * A stand-in model runner that keeps a real paged "KV cache": each slot stores the (position, token)
 * written there, reached only through the block tables and copy instructions of the scheduler
 * output. The next token is a hash of the history read back from those slots, so any paging error
 * (wrong block, missing copy-on-write, a prefix hit on the wrong block, an overwrite of a shared
 * block) changes the output or trips the position check; outputs otherwise depend on history only.
 *
 * <p>Like a real runner it knows a sequence only from what the scheduler output sent: the
 * {@link NewSequence} once, then each step's block-table change, so a wrong change shows too.
 */
final class FakePagedModel {

    static final int VOCAB = 50;
    static final int EOS = 0;

    private final int blockSize;
    private final long[] slots; // (numBlocks * blockSize) position << 32 | token, -1 when never written
    private final Map<SequenceId, NewSequence> sequences = new HashMap<>();
    private final Map<SequenceId, int[]> tables = new HashMap<>();
    private long received = -1; // index of the last step whose changes were applied

    FakePagedModel(int numBlocks, int blockSize) {
        this.blockSize = blockSize;
        this.slots = new long[numBlocks * blockSize];
        java.util.Arrays.fill(slots, -1L);
    }

    /** The deterministic "model": next token after {@code history[0, length)} for sample salt {@code salt}. */
    static int nextToken(int[] history, int length, long salt) {
        long h = 0xcbf29ce484222325L ^ salt * 0x9E3779B97F4A7C15L;
        for (int i = 0; i < length; i++) {
            h ^= history[i];
            h *= 0x100000001b3L;
            h ^= h >>> 29;
        }
        return (int) Math.floorMod(h, VOCAB);
    }

    /** Greedy requests use salt 0; sampled ones differ per seed and sample index. */
    static long salt(SamplingParams p, int sampleIndex) {
        if (p.isGreedy()) return 0;
        long seed = p.seed() == null ? 0 : p.seed();
        return seed * 31 + sampleIndex + 1;
    }

    /** Applies what the step tells the runner (finished, new sequences, block-table changes); once per step. */
    void receive(SchedulerOutput out) {
        if (out.stepIndex() == received) return;
        received = out.stepIndex();
        for (SequenceId id : out.finishedSequenceIds()) {
            sequences.remove(id);
            tables.remove(id);
        }
        for (NewSequence n : out.newSequences()) {
            sequences.put(n.id(), n);
            tables.put(n.id(), new int[0]);
        }
        for (ScheduledSequence s : out.sequences()) {
            if (!sequences.containsKey(s.id())) throw new AssertionError(s.id() + " scheduled but never sent as new (step " + out.stepIndex() + ")");
            tables.put(s.id(), s.applyBlocks(tables.get(s.id())));
        }
    }

    /** The block table the runner holds for a sequence, as of the last step received. */
    int[] table(SequenceId id) {
        return tables.get(id);
    }

    ModelRunnerOutput execute(SchedulerOutput out) {
        receive(out);
        for (BlockCopy c : out.blockCopies()) {
            System.arraycopy(slots, c.src() * blockSize, slots, c.dst() * blockSize, blockSize);
        }
        for (ScheduledSequence s : out.sequences()) {
            int[] table = tables.get(s.id());
            for (int i = 0; i < s.numTokens(); i++) {
                slots[s.slot(table, i, blockSize)] = ((long) (s.startPosition() + i) << 32) | s.tokenIds()[i];
            }
        }
        Map<SequenceId, SampledToken> sampled = new HashMap<>();
        for (ScheduledSequence s : out.sequences()) {
            if (!s.sample()) continue;
            int length = s.sequenceLength();
            int[] history = new int[length];
            int[] table = tables.get(s.id());
            for (int p = 0; p < length; p++) {
                long v = slots[table[p / blockSize] * blockSize + p % blockSize];
                if ((int) (v >>> 32) != p) {
                    throw new AssertionError("request " + s.id() + ": slot for position " + p
                            + " holds position " + (v >>> 32) + " (step " + out.stepIndex() + ")");
                }
                history[p] = (int) v;
            }
            NewSequence n = sequences.get(s.id());
            sampled.put(s.id(), SampledToken.of(nextToken(history, length, salt(n.params(), n.id().sampleIndex()))));
        }
        return ModelRunnerOutput.of(sampled);
    }
}
