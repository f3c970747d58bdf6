package dev.pagoda.engine.runner;

import dev.pagoda.engine.backend.cpu.CpuModel;
import dev.pagoda.engine.cpu.CpuKvCache;
import dev.pagoda.engine.kv.BlockCopy;
import dev.pagoda.engine.request.SequenceId;
import dev.pagoda.engine.sample.SampledToken;
import dev.pagoda.engine.sample.Sampler;
import dev.pagoda.engine.sample.SamplerVocab;
import dev.pagoda.engine.sched.ModelRunnerOutput;
import dev.pagoda.engine.sched.PromptLogprobs;
import dev.pagoda.engine.sched.ScheduledSequence;
import dev.pagoda.engine.sched.SchedulerOutput;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CPU backend's step: block copies, one {@link CpuModel#forward} over the flattened batch,
 * then one draw per sampling sequence.
 *
 * <pre>
 *   SchedulerOutput                       ForwardBatch (T rows, S sequences)
 *   seq a: tokens 5..9  (prefill chunk)    tokenIds    a5 a6 a7 a8 a9 | b12
 *   seq b: token 12     (decode)           positions    5  6  7  8  9 |  12
 *                                          queryStart   0              5     6
 *                                          contextLens  10             13
 *                                          logitRows    4 (a samples)  5 (b samples)
 * </pre>
 *
 * <p>Per-request sampling state lives in {@link RequestSamplingStates}.
 *
 * <p>The logits buffer is sized once for the most rows a step can sample; the model sizes its
 * activation buffers for the step's token budget. Not thread-safe: the engine loop owns it.
 */
public final class CpuModelRunner implements ModelRunner {

    private final CpuModel model;
    private final CpuKvCache cache;
    private final SamplerVocab vocab;
    private final Sampler sampler;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment logits; // (maxSampledRows, vocab) f32: sampled rows, then prompt-scoring rows
    private final long rowBytes;
    private final int maxSampledRows;
    private final RequestSamplingStates states;

    /**
     * Takes ownership of {@code model} and {@code cache}: {@link #close} closes them.
     *
     * @param maxSampledRows most logit rows in one step, sampled and prompt-scoring (the scheduler's maxNumSeqs, capped by its token budget)
     */
    public CpuModelRunner(CpuModel model, CpuKvCache cache, SamplerVocab vocab, int maxSampledRows) {
        if (vocab.size() != model.vocabSize()) {
            throw new IllegalArgumentException("sampler vocabulary has " + vocab.size() + " ids but the model produces "
                    + model.vocabSize() + " logits per row");
        }
        if (maxSampledRows < 1) throw new IllegalArgumentException("maxSampledRows must be >= 1, got " + maxSampledRows);
        this.model = model;
        this.cache = cache;
        this.vocab = vocab;
        this.sampler = new Sampler(vocab);
        this.states = new RequestSamplingStates(vocab);
        this.maxSampledRows = maxSampledRows;
        this.rowBytes = (long) vocab.size() * Float.BYTES;
        this.logits = arena.allocate(maxSampledRows * rowBytes, 64);
    }

    public CpuKvCache cache() {
        return cache;
    }

    /** Sampling states held now (sequences that sampled and have not finished); for tests of the cleanup. */
    public int liveSamplingStates() {
        return states.samplingStates();
    }

    @Override
    public ModelRunnerOutput execute(SchedulerOutput step) {
        for (BlockCopy copy : step.blockCopies()) cache.copyBlock(copy.src(), copy.dst()); // before any K/V write

        Map<SequenceId, String> failed = new LinkedHashMap<>();
        List<ScheduledSequence> batch = states.admit(step, failed, false);
        Map<SequenceId, SampledToken> sampled = new LinkedHashMap<>();
        Map<SequenceId, PromptLogprobs> promptLogprobs = Map.of();
        if (!batch.isEmpty()) {
            BatchLayout layout = BatchLayout.of(batch, states, step.blockSize());
            if (layout.logitRows() > maxSampledRows) {
                throw new IllegalStateException("step " + step.stepIndex() + " wants " + layout.logitRows()
                        + " logit rows, the runner was sized for " + maxSampledRows);
            }
            model.forward(layout.batch(), cache, logits);
            sampleRows(layout.sampling(), sampled, failed);
            promptLogprobs = PromptLogprobScoring.score(layout, r -> logits.asSlice(r * rowBytes, rowBytes), sampler, failed);
        }
        return new ModelRunnerOutput(sampled, failed, promptLogprobs);
    }

    private void sampleRows(List<ScheduledSequence> sampling, Map<SequenceId, SampledToken> sampled, Map<SequenceId, String> failed) {
        for (int r = 0; r < sampling.size(); r++) {
            ScheduledSequence s = sampling.get(r);
            try {
                sampled.put(s.id(), sampler.sample(logits.asSlice(r * rowBytes, rowBytes), states.get(s.id())));
            } catch (IllegalStateException | IllegalArgumentException e) {
                // e.g. a NaN row or every token masked by logit_bias: this request cannot go on, the others can
                failed.put(s.id(), "sampling failed: " + e.getMessage());
                states.remove(s.id());
            }
        }
    }

    @Override
    public void close() {
        states.clear();
        arena.close();
        model.close();
        cache.close();
    }
}
