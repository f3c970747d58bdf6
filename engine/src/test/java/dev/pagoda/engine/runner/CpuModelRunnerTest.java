package dev.pagoda.engine.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.config.HfConfigReader;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.testing.TestModels;
import dev.pagoda.engine.cpu.CpuKvCache;
import dev.pagoda.engine.cpu.KvCacheShape;
import dev.pagoda.engine.cpu.LinearKernels;
import dev.pagoda.engine.cpu.Parallel;
import dev.pagoda.engine.load.LoadFormat;
import dev.pagoda.engine.load.LoadedModel;
import dev.pagoda.engine.load.ModelLoader;
import dev.pagoda.engine.backend.cpu.CpuModel;
import dev.pagoda.engine.model.arch.Architectures;
import dev.pagoda.engine.model.ModelOptions;
import dev.pagoda.engine.request.SequenceId;
import dev.pagoda.engine.sample.SamplerVocab;
import dev.pagoda.engine.sample.SamplingParams;
import dev.pagoda.engine.sched.ModelRunnerOutput;
import dev.pagoda.engine.sched.NewSequence;
import dev.pagoda.engine.sched.ScheduledSequence;
import dev.pagoda.engine.sched.SchedulerOutput;
import dev.pagoda.engine.telemetry.StepStats.PrefixCacheStats;
import dev.pagoda.engine.testing.FixtureWeights;
import dev.pagoda.engine.testing.ReferenceLlama;
import dev.pagoda.engine.testing.Workers;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** One hand-built step: a good sequence samples the reference model's argmax while a bad one fails alone. */
@ExtendWith(Workers.class)
class CpuModelRunnerTest {

    /** A whole prompt in one block, new to the runner. */
    private record Prefill(NewSequence sequence, ScheduledSequence scheduled) {
        static Prefill of(String id, int[] tokens, int block) {
            SequenceId sequence = SequenceId.of(id);
            return new Prefill(new NewSequence(sequence, tokens, SamplingParams.greedy(4)),
                    new ScheduledSequence(sequence, tokens, 0, 0, new int[] {block}, true, false));
        }
    }

    private static SchedulerOutput step(long index, List<Prefill> prefills, List<SequenceId> finished) {
        return new SchedulerOutput(index, prefills.stream().map(Prefill::sequence).toList(),
                prefills.stream().map(Prefill::scheduled).toList(), List.of(), finished, 16, PrefixCacheStats.NONE, 0);
    }

    @Test
    void aBadTokenFailsItsRequestOnlyAndTheOtherSamplesTheReferenceArgmax(Parallel parallel, @TempDir Path tmp) {
        Path folder = TestModels.write(TestModels.llama(), tmp.resolve("llama"));
        int vocab = TestModels.tokenizer().size();
        int[] good = new Random(4).ints(10, 0, vocab).toArray();
        try (LoadedModel loaded = new ModelLoader(parallel).load(folder.toString(), LoadFormat.AUTO, s -> DType.F32, 0)) {
            CpuModel model = CpuModel.load(loaded.weights(), Architectures::create, w -> LinearKernels.create(w, parallel, 32),
                    new ModelOptions(32, 64), parallel);
            CpuKvCache cache = new CpuKvCache(KvCacheShape.forModel(loaded.spec(), 4, 16));
            try (CpuModelRunner runner = new CpuModelRunner(model, cache, new SamplerVocab(vocab, loaded.eosTokenIds()), 4)) {
                ModelRunnerOutput out = runner.execute(step(0,
                        List.of(Prefill.of("bad", new int[] {3, vocab, 5}, 1), Prefill.of("good", good, 2)), List.of()));
                SequenceId bad = SequenceId.of("bad");
                assertEquals(List.of(bad), List.copyOf(out.failed().keySet()));
                assertTrue(out.failed().get(bad).contains("token id " + vocab + " is outside the vocabulary"), out.failed().get(bad));

                double[][] logits = new ReferenceLlama(new FixtureWeights(TestModels.llama(), HfConfigReader.readFolder(folder))).logits(good);
                double[] last = logits[good.length - 1];
                int argmax = 0;
                for (int v = 1; v < last.length; v++) if (last[v] > last[argmax]) argmax = v;
                assertEquals(argmax, out.sampled().get(SequenceId.of("good")).tokenId());
                assertEquals(1, runner.liveSamplingStates());

                runner.execute(step(1, List.of(), List.of(SequenceId.of("good"))));
                assertEquals(0, runner.liveSamplingStates(), "a finished request's sampling state is dropped");
            }
        }
    }
}
