package dev.pagoda.engine.bench;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.tensor.WeightSource;
import dev.pagoda.engine.cpu.CpuKvCache;
import dev.pagoda.engine.cpu.KvCacheShape;
import dev.pagoda.engine.cpu.LinearKernels;
import dev.pagoda.engine.cpu.Parallel;
import dev.pagoda.engine.model.ForwardBatch;
import dev.pagoda.engine.backend.cpu.CpuModel;
import dev.pagoda.engine.model.arch.Architectures;
import dev.pagoda.engine.model.ModelOptions;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/**
 * Decode throughput of the bare CPU model (no scheduler, no engine loop): B sequences each get a
 * short prompt, then every step is one {@link ForwardBatch} of B decode tokens followed by a
 * greedy argmax per sequence — the per-step work of continuous batching once all sequences
 * decode. Time per step is split into linear layers (per projection), sampling and the rest.
 * Used by the llama.cpp comparison; a plain class so any weights (GGUF, dummy) can be measured.
 */
public final class DecodeBench implements AutoCloseable {

    private static final int BLOCK_SIZE = 16;

    /**
     * @param promptLen    prompt tokens per sequence, computed before timing
     * @param warmupSteps  untimed decode steps first (JIT, caches)
     * @param timedSteps   decode steps measured
     */
    public record Plan(int batch, int promptLen, int warmupSteps, int timedSteps, long seed) {
        public Plan {
            if (batch < 1 || promptLen < 1 || warmupSteps < 0 || timedSteps < 1) {
                throw new IllegalArgumentException("decode plan needs batch, promptLen, timedSteps >= 1 and warmupSteps >= 0: " + this);
            }
        }

        int contextLen() {
            return promptLen + warmupSteps + timedSteps;
        }
    }

    private final CpuModel model;
    private final LinearProfile profile = new LinearProfile();
    private final int maxBatch;

    /** Builds the model on the Vector-API kernels over {@code weights}, sized for batches up to {@code maxBatch} and prompts up to {@code maxPrompt}. */
    public DecodeBench(WeightSource weights, Parallel parallel, int maxBatch, int maxPrompt, int maxModelLen) {
        int maxTokens = Math.max(maxBatch, maxPrompt);
        this.maxBatch = maxBatch;
        this.model = CpuModel.load(weights, Architectures::create, profile.wrap(t -> LinearKernels.create(t, parallel, maxTokens)),
                new ModelOptions(maxTokens, maxModelLen), parallel);
    }

    public ModelSpec spec() {
        return model.spec();
    }

    public DecodeResult run(Plan plan) {
        if (plan.batch() > maxBatch) throw new IllegalArgumentException("batch " + plan.batch() + " > maxBatch " + maxBatch);
        int b = plan.batch();
        int blocksPerSeq = (plan.contextLen() + BLOCK_SIZE - 1) / BLOCK_SIZE;
        int vocab = model.vocabSize();
        try (CpuKvCache cache = new CpuKvCache(KvCacheShape.forModel(model.spec(), b * blocksPerSeq, BLOCK_SIZE));
             Arena arena = Arena.ofShared()) {
            // shared: the kernels' worker threads write the logits
            MemorySegment logits = arena.allocate((long) b * vocab * Float.BYTES, 64); // (batch, vocab) f32
            int[][] tables = new int[b][blocksPerSeq];
            for (int s = 0; s < b; s++) for (int i = 0; i < blocksPerSeq; i++) tables[s][i] = s * blocksPerSeq + i;
            int[] next = new int[b];
            SplittableRandom random = new SplittableRandom(plan.seed());
            for (int s = 0; s < b; s++) {
                int[] prompt = random.ints(plan.promptLen(), 0, vocab).toArray();
                model.forward(prefill(prompt, tables[s]), cache, logits);
                next[s] = argmax(logits, 0, vocab);
            }
            int len = plan.promptLen();
            for (int i = 0; i < plan.warmupSteps(); i++) decodeStep(next, len++, tables, cache, logits);
            profile.reset();
            long sampling = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < plan.timedSteps(); i++) sampling += decodeStep(next, len++, tables, cache, logits);
            long total = System.nanoTime() - t0;
            return new DecodeResult(b, plan.timedSteps(), total / 1e6, profile.millisByKind(), sampling / 1e6);
        }
    }

    /** One token per sequence at position {@code pos}; overwrites {@code next}; returns the sampling nanos. */
    private long decodeStep(int[] next, int pos, int[][] tables, CpuKvCache cache, MemorySegment logits) {
        int b = next.length;
        int[] positions = new int[b], slots = new int[b], queryStart = new int[b + 1], contextLens = new int[b], rows = new int[b];
        for (int s = 0; s < b; s++) {
            positions[s] = pos;
            slots[s] = tables[s][pos / BLOCK_SIZE] * BLOCK_SIZE + pos % BLOCK_SIZE;
            queryStart[s + 1] = s + 1;
            contextLens[s] = pos + 1;
            rows[s] = s;
        }
        model.forward(new ForwardBatch(next.clone(), positions, slots, queryStart, contextLens, tables, rows), cache, logits);
        long t0 = System.nanoTime();
        int vocab = model.vocabSize();
        for (int s = 0; s < b; s++) next[s] = argmax(logits, (long) s * vocab, vocab);
        return System.nanoTime() - t0;
    }

    private static ForwardBatch prefill(int[] prompt, int[] table) {
        int n = prompt.length;
        int[] positions = new int[n], slots = new int[n];
        for (int i = 0; i < n; i++) {
            positions[i] = i;
            slots[i] = table[i / BLOCK_SIZE] * BLOCK_SIZE + i % BLOCK_SIZE;
        }
        return new ForwardBatch(prompt, positions, slots, new int[] {0, n}, new int[] {n}, new int[][] {table}, new int[] {n - 1});
    }

    private static int argmax(MemorySegment logits, long offset, int vocab) {
        int best = 0;
        float max = Float.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            float x = logits.getAtIndex(ValueLayout.JAVA_FLOAT, offset + v);
            if (x > max) {
                max = x;
                best = v;
            }
        }
        return best;
    }

    @Override
    public void close() {
        model.close();
    }
}
