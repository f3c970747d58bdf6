package dev.pagoda.engine.core;

import dev.pagoda.engine.cuda.model.StepExecutor;
import dev.pagoda.engine.kv.BlockCopy;
import dev.pagoda.engine.model.ForwardBatch;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * A stand-in for the GPU behind {@code CudaModelRunner}: a "model" whose logits for a row depend
 * only on the row's token, {@code logit[v] = -|v - next(token)|}, so greedy decoding follows
 * {@link #next} and a test can compute the expected chain itself. Greedy device rows return
 * that argmax; rows with {@code hostLogits} get the logits row. A token listed in
 * {@link #poisonToken} gets NaN logits (host rows) or an id outside the vocabulary (device rows).
 */
final class FakeDeviceExecutor implements StepExecutor {

    final int vocab;
    final List<RowSampling[]> seen = new ArrayList<>();
    volatile int poisonToken = -1;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment logits;
    private int[] tokens = new int[0];
    private long steps;

    FakeDeviceExecutor(int vocab, int maxRows) {
        this.vocab = vocab;
        this.logits = arena.allocate(4L * vocab * maxRows);
    }

    static int next(int token, int vocab) {
        return (token * 7 + 3) % vocab;
    }

    @Override
    public Result run(ForwardBatch batch, List<BlockCopy> copies, RowSampling[] sampling) {
        steps++;
        int rows = batch.logitRows().length;
        seen.add(sampling.clone());
        tokens = new int[rows];
        for (int r = 0; r < rows; r++) {
            int token = batch.tokenIds()[batch.logitRows()[r]];
            int best = next(token, vocab);
            boolean poisoned = token == poisonToken;
            tokens[r] = poisoned ? vocab + 5 : best;
            if (sampling[r].hostLogits()) {
                for (int v = 0; v < vocab; v++) {
                    float value = poisoned ? Float.NaN : -Math.abs(v - best);
                    logits.setAtIndex(ValueLayout.JAVA_FLOAT, (long) r * vocab + v, value);
                }
            }
        }
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

    @Override
    public String describeTotals() {
        return steps + " fake steps";
    }

    @Override
    public void close() {
        arena.close();
    }
}
