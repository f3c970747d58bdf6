package dev.pagoda.engine.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.safetensors.HfWeightSource;
import dev.pagoda.engine.backend.cpu.CpuModel;
import dev.pagoda.engine.cpu.CpuKvCache;
import dev.pagoda.engine.cpu.LinearKernels;
import dev.pagoda.engine.cpu.Parallel;
import dev.pagoda.engine.model.PagedSequences.Chunk;
import dev.pagoda.engine.model.PagedSequences.Seq;
import dev.pagoda.engine.model.arch.Architectures;
import dev.pagoda.engine.testing.F32;
import dev.pagoda.engine.testing.Workers;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Llama family on the CPU backend against transformers itself: tiny models transformers built
 * and saved ({@link TransformersFixtures}), loaded from their HF folders, each sequence run as a
 * paged prefill of its first half and one-token decodes after; every position's log-probabilities
 * within 1e-3 of transformers' float32 ones (the bound; the printed maximum is far below).
 */
@ExtendWith(Workers.class)
class TransformersParityTest {

    private static final double LOGPROB_TOLERANCE = 1e-3;

    static List<String> fixtures() {
        return TransformersFixtures.NAMES;
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void cpuLogProbabilitiesEqualTransformers(String name, Parallel parallel) {
        try (HfWeightSource weights = HfWeightSource.open(TransformersFixtures.folder(name));
             CpuModel model = CpuModel.load(weights, Architectures::create, w -> LinearKernels.create(w, parallel, 32),
                     new ModelOptions(32, 64), parallel);
             CpuKvCache cache = new CpuKvCache(model.kvCacheShape(32, 4));
             Arena arena = Arena.ofShared()) {
            int vocab = model.vocabSize();
            double worst = 0;
            for (TransformersFixtures.Sequence s : TransformersFixtures.sequences(name, vocab)) {
                PagedSequences paged = new PagedSequences(32, 4, new Random(s.ids().length));
                Seq seq = new Seq(s.ids());
                int prefill = s.ids().length / 2;
                int position = 0;
                for (int count = prefill; position < s.ids().length; position += count, count = 1) {
                    ForwardBatch batch = paged.step(List.of(new Chunk(seq, count)));
                    MemorySegment logits = F32.zeros(arena, (long) count * vocab);
                    model.forward(batch, cache, logits);
                    float[] flat = F32.read(logits, (long) count * vocab);
                    for (int r = 0; r < count; r++) {
                        float[] ours = java.util.Arrays.copyOfRange(flat, r * vocab, (r + 1) * vocab);
                        double[] mine = TransformersFixtures.logSoftmax(ours);
                        double[] theirs = TransformersFixtures.logSoftmax(s.logits()[position + r]);
                        for (int v = 0; v < vocab; v++) worst = Math.max(worst, Math.abs(mine[v] - theirs[v]));
                    }
                }
            }
            System.out.printf(java.util.Locale.ROOT, "%s: max |Δ logprob| vs transformers fp32 = %.2e%n", name, worst);
            assertTrue(worst <= LOGPROB_TOLERANCE, name + ": max |Δ logprob| " + worst);
        }
    }
}
