package dev.pagoda.engine.eval;

import dev.pagoda.catalog.tensor.WeightSource;
import dev.pagoda.engine.backend.cpu.CpuModel;
import dev.pagoda.engine.cpu.CpuKvCache;
import dev.pagoda.engine.cpu.LinearKernels;
import dev.pagoda.engine.cpu.Parallel;
import dev.pagoda.engine.model.ForwardBatch;
import dev.pagoda.engine.model.ModelOptions;
import dev.pagoda.engine.model.arch.Architectures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Perplexity of a model on the CPU backend (fp32 arithmetic) over windows of token ids, defined
 * as {@code models/demo/recipe/heldout.py} defines it: within each window every token after the
 * first is predicted from those before it; perplexity = exp(mean negative log-likelihood). Also
 * gives the log-probabilities themselves, which the parity tests compare with transformers'.
 * {@code PerplexityMain} (bench sources) runs it from the command line.
 */
public final class Perplexity implements AutoCloseable {

    private static final int BLOCK_SIZE = 16;

    /** @param totalNll summed negative log-likelihood (nats) of {@code predictions} tokens */
    public record Result(int windows, long predictions, double totalNll) {
        public double meanNll() {
            return totalNll / predictions;
        }

        public double perplexity() {
            return Math.exp(meanNll());
        }
    }

    private final CpuModel model;
    private final int maxTokens;

    /** Builds the CPU model over {@code weights} for sequences of up to {@code maxTokens} tokens. */
    public Perplexity(WeightSource weights, Parallel parallel, int maxTokens) {
        this.maxTokens = maxTokens;
        this.model = CpuModel.load(weights, Architectures::create, w -> LinearKernels.create(w, parallel, maxTokens),
                new ModelOptions(maxTokens, maxTokens), parallel);
    }

    /** Logits after every position of {@code ids} in one prefill: {@code [ids.length][vocab]}. */
    public float[][] logits(int[] ids) {
        int n = ids.length;
        if (n < 1 || n > maxTokens) throw new IllegalArgumentException("sequence of " + n + " tokens; this scorer takes 1.." + maxTokens);
        int vocab = model.vocabSize();
        int blocks = Math.ceilDiv(n, BLOCK_SIZE);
        int[] table = new int[blocks];
        for (int b = 0; b < blocks; b++) table[b] = b;
        int[] positions = new int[n], slots = new int[n], rows = new int[n];
        for (int i = 0; i < n; i++) {
            positions[i] = i;
            slots[i] = i; // block b holds positions b*16.. in order, so slot = position
            rows[i] = i;
        }
        ForwardBatch batch = new ForwardBatch(ids, positions, slots, new int[] {0, n}, new int[] {n}, new int[][] {table}, rows);
        try (CpuKvCache cache = new CpuKvCache(model.kvCacheShape(blocks, BLOCK_SIZE));
             Arena arena = Arena.ofShared()) {
            MemorySegment out = arena.allocate((long) n * vocab * Float.BYTES, 64); // (n, vocab) f32
            model.forward(batch, cache, out);
            float[][] logits = new float[n][vocab];
            for (int i = 0; i < n; i++) MemorySegment.copy(out, ValueLayout.JAVA_FLOAT, (long) i * vocab * Float.BYTES, logits[i], 0, vocab);
            return logits;
        }
    }

    /** log p(ids[i+1] | ids[0..i]) for i = 0 .. n-2, in double. */
    public double[] nextTokenLogprobs(int[] ids) {
        float[][] logits = logits(ids);
        double[] out = new double[ids.length - 1];
        for (int i = 0; i + 1 < ids.length; i++) out[i] = logSoftmax(logits[i])[ids[i + 1]];
        return out;
    }

    /** Sums the negative log-likelihood of every window's predictions. */
    public Result evaluate(List<int[]> windows) {
        double total = 0;
        long predictions = 0;
        for (int[] w : windows) {
            for (double lp : nextTokenLogprobs(w)) total -= lp;
            predictions += w.length - 1;
        }
        return new Result(windows.size(), predictions, total);
    }

    /** log-softmax of one row, in double (as the recipe computes it). */
    public static double[] logSoftmax(float[] row) {
        double max = Double.NEGATIVE_INFINITY;
        for (float x : row) max = Math.max(max, x);
        double sum = 0;
        for (float x : row) sum += Math.exp(x - max);
        double lse = max + Math.log(sum);
        double[] out = new double[row.length];
        for (int v = 0; v < row.length; v++) out[v] = row[v] - lse;
        return out;
    }

    /** The first {@code limit} (0 = all) whole windows of {@code window} ids in a little-endian uint16 file; a partial tail is dropped. */
    public static List<int[]> readWindows(Path uint16Ids, int window, int limit) {
        try {
            ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(uint16Ids)).order(ByteOrder.LITTLE_ENDIAN);
            int count = bytes.remaining() / 2 / window;
            if (limit > 0) count = Math.min(count, limit);
            List<int[]> out = new ArrayList<>(count);
            for (int w = 0; w < count; w++) {
                int[] ids = new int[window];
                for (int i = 0; i < window; i++) ids[i] = Short.toUnsignedInt(bytes.getShort());
                out.add(ids);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read token ids from " + uint16Ids + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
