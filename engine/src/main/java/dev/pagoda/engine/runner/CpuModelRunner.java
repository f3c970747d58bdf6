package dev.pagoda.engine.runner;

import dev.pagoda.engine.cpu.CpuKvCache;
import dev.pagoda.engine.kv.BlockCopy;
import dev.pagoda.engine.model.ForwardBatch;
import dev.pagoda.engine.model.LlamaModel;
import dev.pagoda.engine.request.TokenHistory;
import dev.pagoda.engine.sample.SampledToken;
import dev.pagoda.engine.sample.Sampler;
import dev.pagoda.engine.sample.SamplerVocab;
import dev.pagoda.engine.sample.SamplingState;
import dev.pagoda.engine.sched.ModelRunnerOutput;
import dev.pagoda.engine.sched.SamplingContext;
import dev.pagoda.engine.sched.ScheduledSequence;
import dev.pagoda.engine.sched.SchedulerOutput;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CPU backend's step: block copies, one {@link LlamaModel#forward} over the flattened batch,
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
 * <p>Per-request sampling state (seeded generator, penalty counts) lives here, created the first
 * time a sequence samples — a child of an n > 1 request gets {@code createChild} with its sample
 * index, so equal seeds still give n different samples — and dropped when the scheduler reports
 * the sequence finished. Preemption keeps it: the recomputed tokens are not sampled again.
 *
 * <p>The logits buffer is sized once for the most rows a step can sample; the model sizes its
 * activation buffers for the step's token budget. Not thread-safe: the engine loop owns it.
 */
public final class CpuModelRunner implements ModelRunner {

    private final LlamaModel model;
    private final CpuKvCache cache;
    private final SamplerVocab vocab;
    private final Sampler sampler;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment logits; // (maxSampledRows, vocab) f32
    private final long rowBytes;
    private final int maxSampledRows;
    private final Map<String, SamplingState> states = new HashMap<>();

    /**
     * Takes ownership of {@code model} and {@code cache}: {@link #close} closes them.
     *
     * @param maxSampledRows most sequences sampled in one step (the scheduler's maxNumSeqs, capped by its token budget)
     */
    public CpuModelRunner(LlamaModel model, CpuKvCache cache, SamplerVocab vocab, int maxSampledRows) {
        if (vocab.size() != model.vocabSize()) {
            throw new IllegalArgumentException("sampler vocabulary has " + vocab.size() + " ids but the model produces "
                    + model.vocabSize() + " logits per row");
        }
        if (maxSampledRows < 1) throw new IllegalArgumentException("maxSampledRows must be >= 1, got " + maxSampledRows);
        this.model = model;
        this.cache = cache;
        this.vocab = vocab;
        this.sampler = new Sampler(vocab);
        this.maxSampledRows = maxSampledRows;
        this.rowBytes = (long) vocab.size() * Float.BYTES;
        this.logits = arena.allocate(maxSampledRows * rowBytes, 64);
    }

    public CpuKvCache cache() {
        return cache;
    }

    /** Sampling states held now (sequences seen and not yet finished); for tests of the cleanup. */
    public int liveSamplingStates() {
        return states.size();
    }

    @Override
    public ModelRunnerOutput execute(SchedulerOutput step) {
        for (String id : step.finishedRequestIds()) states.remove(id);
        for (BlockCopy copy : step.blockCopies()) cache.copyBlock(copy.src(), copy.dst()); // before any K/V write

        Map<String, String> failed = new LinkedHashMap<>();
        List<ScheduledSequence> batch = new ArrayList<>(step.sequences().size());
        for (ScheduledSequence s : step.sequences()) {
            String problem = checkTokens(s);
            if (problem == null && s.sample()) problem = ensureSamplingState(s);
            if (problem != null) {
                failed.put(s.requestId(), problem);
            } else {
                batch.add(s);
            }
        }
        Map<String, SampledToken> sampled = new LinkedHashMap<>();
        if (!batch.isEmpty()) {
            BatchLayout layout = BatchLayout.of(batch, step.blockSize());
            if (layout.sampling().size() > maxSampledRows) {
                throw new IllegalStateException("step " + step.stepIndex() + " samples " + layout.sampling().size()
                        + " sequences, the runner was sized for " + maxSampledRows);
            }
            model.forward(layout.batch(), cache, logits);
            sampleRows(layout.sampling(), sampled, failed);
        }
        return new ModelRunnerOutput(sampled, failed);
    }

    /** The flattened batch and, in logit-row order, the sequences that sample. */
    private record BatchLayout(ForwardBatch batch, List<ScheduledSequence> sampling) {

        static BatchLayout of(List<ScheduledSequence> sequences, int blockSize) {
            int total = 0;
            int sampleCount = 0;
            for (ScheduledSequence s : sequences) {
                total += s.numTokens();
                if (s.sample()) sampleCount++;
            }
            int[] tokenIds = new int[total]; // (T)
            int[] positions = new int[total]; // (T)
            int[] slots = new int[total]; // (T)
            int[] queryStart = new int[sequences.size() + 1]; // (S + 1)
            int[] contextLens = new int[sequences.size()]; // (S)
            int[][] blockTables = new int[sequences.size()][]; // (S) block ids
            int[] logitRows = new int[sampleCount]; // (R)
            List<ScheduledSequence> sampling = new ArrayList<>(sampleCount);
            int row = 0;
            for (int s = 0; s < sequences.size(); s++) {
                ScheduledSequence seq = sequences.get(s);
                int[] ids = seq.tokenIds();
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
            }
            return new BatchLayout(new ForwardBatch(tokenIds, positions, slots, queryStart, contextLens, blockTables, logitRows),
                    sampling);
        }
    }

    private void sampleRows(List<ScheduledSequence> sampling, Map<String, SampledToken> sampled, Map<String, String> failed) {
        for (int r = 0; r < sampling.size(); r++) {
            ScheduledSequence s = sampling.get(r);
            try {
                sampled.put(s.requestId(), sampler.sample(logits.asSlice(r * rowBytes, rowBytes), states.get(s.requestId())));
            } catch (IllegalStateException | IllegalArgumentException e) {
                // e.g. a NaN row or every token masked by logit_bias: this request cannot go on, the others can
                failed.put(s.requestId(), "sampling failed: " + e.getMessage());
                states.remove(s.requestId());
            }
        }
    }

    /** A token id outside the vocabulary would read past the embedding table; fail that request only. */
    private String checkTokens(ScheduledSequence s) {
        for (int id : s.tokenIds()) {
            if (id < 0 || id >= vocab.size()) {
                return "token id " + id + " is outside the vocabulary (size " + vocab.size() + ")";
            }
        }
        return null;
    }

    private String ensureSamplingState(ScheduledSequence s) {
        if (states.containsKey(s.requestId())) return null;
        SamplingContext ctx = s.sampling();
        try {
            states.put(s.requestId(), SamplingState.createChild(ctx.params(), promptOf(ctx.history()), vocab, ctx.sampleIndex()));
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static int[] promptOf(TokenHistory history) {
        int[] prompt = new int[history.numPromptTokens()];
        for (int i = 0; i < prompt.length; i++) prompt[i] = history.tokenAt(i);
        return prompt;
    }

    @Override
    public void close() {
        states.clear();
        arena.close();
        model.close();
        cache.close();
    }
}
