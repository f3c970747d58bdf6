package dev.pagoda.engine.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.tensor.WeightSource;
import dev.pagoda.engine.backend.cpu.CpuModel;
import dev.pagoda.engine.cpu.CpuKvCache;
import dev.pagoda.engine.cpu.LinearKernels;
import dev.pagoda.engine.cpu.Parallel;
import dev.pagoda.engine.model.PagedSequences.Chunk;
import dev.pagoda.engine.model.PagedSequences.Seq;
import dev.pagoda.engine.model.ops.ModelDefinition;
import dev.pagoda.engine.testing.F32;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * Runs a model file on the CPU backend over a paged cache — three prompts, one prefilled in two
 * chunks beside the others' prefills, then decode steps of all three — and compares the logits of
 * every computed position with a reference forward pass of the whole sequence.
 */
final class ModelFileCheck {

    private static final double TOLERANCE = 1e-4;

    private ModelFileCheck() {}

    /** @param reference logits (seqLen, vocab) of every position of a token sequence */
    static void assertMatchesReference(String name, WeightSource weights, ModelDefinition.Factory model, int vocab,
                                       Function<int[], double[][]> reference, Parallel parallel, long seed) {
        Random random = new Random(seed);
        int blockSize = 4;
        try (CpuModel cpu = CpuModel.load(weights, model, t -> LinearKernels.create(t, parallel, 48), new ModelOptions(48, 64), parallel);
             CpuKvCache cache = new CpuKvCache(cpu.kvCacheShape(64, blockSize));
             Arena arena = Arena.ofShared()) {
            PagedSequences paged = new PagedSequences(64, blockSize, random);
            Seq a = new Seq(random.ints(11, 0, vocab).toArray());
            Seq b = new Seq(random.ints(6, 0, vocab).toArray());
            Seq c = new Seq(random.ints(3, 0, vocab).toArray());
            Map<Seq, Map<Integer, float[]>> seen = new HashMap<>();
            List<List<Chunk>> steps = new ArrayList<>();
            steps.add(List.of(new Chunk(a, 5), new Chunk(b, 6), new Chunk(c, 3)));
            steps.add(List.of(new Chunk(b, 1), new Chunk(a, 6), new Chunk(c, 1)));
            for (int i = 0; i < steps.size() + 3; i++) {
                List<Chunk> step = i < steps.size() ? steps.get(i) : List.of(new Chunk(c, 1), new Chunk(a, 1), new Chunk(b, 1));
                if (i >= 1) {
                    for (Chunk ch : step) if (ch.count() == 1) ch.seq().tokens.add(random.nextInt(vocab));
                }
                ForwardBatch batch = paged.step(step);
                MemorySegment logits = F32.zeros(arena, (long) batch.numTokens() * vocab);
                cpu.forward(batch, cache, logits);
                float[] flat = F32.read(logits, (long) batch.numTokens() * vocab);
                for (int s = 0; s < step.size(); s++) {
                    for (int row = batch.queryStart()[s]; row < batch.queryStart()[s + 1]; row++) {
                        seen.computeIfAbsent(step.get(s).seq(), k -> new HashMap<>())
                                .put(batch.positions()[row], Arrays.copyOfRange(flat, row * vocab, (row + 1) * vocab));
                    }
                }
            }
            for (var e : seen.entrySet()) {
                double[][] expected = reference.apply(e.getKey().tokenArray());
                for (var p : e.getValue().entrySet()) {
                    double diff = F32.maxAbsDiff(p.getValue(), expected[p.getKey()]);
                    assertTrue(diff <= TOLERANCE, name + ", position " + p.getKey() + ": max |Δ| = " + diff);
                }
            }
        }
    }
}
