package dev.pagoda.engine.runner;

import dev.pagoda.engine.backend.cuda.StepExecutor;
import dev.pagoda.engine.backend.cuda.StepExecutor.RowSampling;
import dev.pagoda.engine.sample.SampledToken;
import dev.pagoda.engine.sample.Sampler;
import dev.pagoda.engine.sample.SamplerVocab;
import dev.pagoda.engine.sample.SamplingParams;
import dev.pagoda.engine.sample.SamplingState;
import dev.pagoda.engine.sched.ModelRunnerOutput;
import dev.pagoda.engine.sched.ScheduledSequence;
import dev.pagoda.engine.sched.SchedulerOutput;
import dev.pagoda.engine.request.Request;
import dev.pagoda.engine.request.SequenceId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CUDA backend's step: the forward pass and sampling run on the GPU and only token ids come
 * back. A request that needs what only the host sampler does — logprobs, logit bias, penalties,
 * an active min_tokens mask — gets its logits row copied back and sampled by {@link Sampler},
 * the same code as on the CPU; everything else (greedy, temperature, top-k, top-p, min-p) is
 * drawn on the device from a seed taken from the request's own generator, so a seeded request
 * repeats whatever shares its batch. Rows that score prompt tokens (prompt_logprobs) come back
 * as host logits after the sampled rows. A structured-output row sampled on the device sends its
 * grammar's token bitmask with the step, and the device sampler draws only allowed tokens.
 *
 * <p>Steps are launched without waiting ({@link #launch}), so the engine schedules the next step
 * while the device runs this one; the next step's pending tokens are read on the device. A step
 * with structured rows does not run ahead: the next mask depends on the token it samples, so it
 * is completed (its tokens accepted by the matchers) before the next step is scheduled, as a
 * step with host-sampled rows is.
 */
public final class CudaModelRunner implements ModelRunner {

    private final StepExecutor executor;
    private final AutoCloseable resources;
    private final Sampler sampler;
    private final RequestSamplingStates states;
    private final int maxSampledRows;
    /** Sequence → logit row of the last launched step, for rows sampled on the device. */
    private Map<SequenceId, Integer> previousSampledRows = Map.of();

    /**
     * @param executor  runs steps on the device ({@code CudaStepExecutor}; a fake in tests)
     * @param resources closed after the executor: the model, kernels, cuBLAS handle, device
     */
    public CudaModelRunner(StepExecutor executor, AutoCloseable resources, SamplerVocab vocab, int maxSampledRows) {
        this.executor = executor;
        this.resources = resources;
        this.sampler = new Sampler(vocab);
        this.states = new RequestSamplingStates(vocab);
        this.maxSampledRows = maxSampledRows;
    }

    /** Sampling states held now (sequences that sampled and have not finished); for tests of the cleanup. */
    public int liveSamplingStates() {
        return states.samplingStates();
    }

    public StepExecutor executor() {
        return executor;
    }

    @Override
    public ModelRunnerOutput execute(SchedulerOutput step) {
        return launch(step).await();
    }

    /**
     * Queues the step on the device and returns. Its sequences whose token the previous step is
     * still sampling ({@link Request#PENDING_TOKEN}) read it on the device from that step's
     * sampled row. Host work for the result (accepting ids, host sampling) happens in
     * {@link LaunchedStep#await}.
     */
    @Override
    public LaunchedStep launch(SchedulerOutput step) {
        Map<SequenceId, String> failed = new LinkedHashMap<>();
        List<ScheduledSequence> batch = feedable(states.admit(step, failed, true), failed);
        Map<SequenceId, Integer> sampledRows = new HashMap<>();
        if (batch.isEmpty()) {
            if (!step.blockCopies().isEmpty()) throw new IllegalStateException("block copies in a step with nothing to run");
            previousSampledRows = sampledRows;
            return LaunchedStep.completed(new ModelRunnerOutput(Map.of(), failed));
        }
        BatchLayout layout = BatchLayout.of(batch, states, step.blockSize());
        List<ScheduledSequence> sampling = layout.sampling();
        if (layout.logitRows() > maxSampledRows) {
            throw new IllegalStateException("step " + step.stepIndex() + " wants " + layout.logitRows()
                    + " logit rows, the runner was sized for " + maxSampledRows);
        }
        RowSampling[] rows = new RowSampling[layout.logitRows()];
        SamplingState[] rowStates = new SamplingState[sampling.size()];
        // prompt-scoring rows come back to the host (their draws are ignored), and a structured row's next
        // mask needs this step's token: either way such a step never feeds forward
        boolean waitForTokens = !layout.promptRows().isEmpty();
        for (int r = sampling.size(); r < rows.length; r++) rows[r] = HOST_LOGITS;
        for (int r = 0; r < sampling.size(); r++) {
            SequenceId id = sampling.get(r).id();
            rowStates[r] = states.get(id);
            rows[r] = deviceParams(rowStates[r]);
            waitForTokens |= rows[r].hostLogits() || rowStates[r].grammar() != null;
            if (!rows[r].hostLogits()) sampledRows.put(id, r);
        }
        StepExecutor.Pending pending = executor.launch(layout.batch(), step.blockCopies(), rows, feedRows(batch, layout.batch().numTokens()));
        previousSampledRows = sampledRows;
        return new DeviceStep(pending, layout, rows, rowStates, failed, !waitForTokens);
    }

    /** The step's sequences minus those awaiting a token the previous launch did not sample on the device (they fail). */
    private List<ScheduledSequence> feedable(List<ScheduledSequence> batch, Map<SequenceId, String> failed) {
        List<ScheduledSequence> out = new ArrayList<>(batch.size());
        for (ScheduledSequence s : batch) {
            if (RequestSamplingStates.awaitsPendingToken(s) && !previousSampledRows.containsKey(s.id())) {
                failed.put(s.id(), "its next token was not sampled on the device by the previous step");
            } else {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * (T) the previous step's logit row feeding each token row, −1 for known tokens; null when
     * none is pending. Rows follow {@link BatchLayout}'s order: sequences back to back.
     */
    private int[] feedRows(List<ScheduledSequence> batch, int totalTokens) {
        int[] feed = null;
        int row = 0;
        for (ScheduledSequence s : batch) {
            if (RequestSamplingStates.awaitsPendingToken(s)) {
                if (feed == null) {
                    feed = new int[totalTokens];
                    Arrays.fill(feed, -1);
                }
                feed[row] = previousSampledRows.get(s.id());
            }
            row += s.numTokens();
        }
        return feed;
    }

    /** A launched step; its result is accepted once, on the engine thread, in launch order. */
    private final class DeviceStep implements LaunchedStep {
        private final StepExecutor.Pending pending;
        private final BatchLayout layout;
        private final List<ScheduledSequence> sampling;
        private final RowSampling[] rows;
        private final SamplingState[] rowStates; // the states the draws were launched for
        private final Map<SequenceId, String> failed;
        private final boolean feedsForward;
        private ModelRunnerOutput output;

        DeviceStep(StepExecutor.Pending pending, BatchLayout layout, RowSampling[] rows,
                   SamplingState[] rowStates, Map<SequenceId, String> failed, boolean feedsForward) {
            this.pending = pending;
            this.layout = layout;
            this.sampling = layout.sampling();
            this.rows = rows;
            this.rowStates = rowStates;
            this.failed = failed;
            this.feedsForward = feedsForward;
        }

        @Override
        public boolean feedsForward() {
            return feedsForward;
        }

        @Override
        public ModelRunnerOutput await() {
            if (output == null) output = accept(pending.await());
            return output;
        }

        private ModelRunnerOutput accept(StepExecutor.Result result) {
            Map<SequenceId, SampledToken> sampled = new LinkedHashMap<>();
            for (int r = 0; r < sampling.size(); r++) {
                SequenceId id = sampling.get(r).id();
                SamplingState state = rowStates[r];
                // finished (and forgotten) while the step ran: its token is discarded with it
                if (states.get(id) != state) continue;
                try {
                    SampledToken token = rows[r].hostLogits()
                            ? sampler.sample(result.logits(r), state)
                            : state.acceptDeviceSample(result.token(r));
                    sampled.put(id, token);
                } catch (IllegalStateException | IllegalArgumentException e) {
                    failed.put(id, "sampling failed: " + e.getMessage());
                    states.remove(id);
                }
            }
            return new ModelRunnerOutput(sampled, failed, PromptLogprobScoring.score(layout, result::logits, sampler, failed));
        }
    }

    /** A row whose logits the host reads: host sampling, or scoring a prompt token. */
    private static final RowSampling HOST_LOGITS = new RowSampling(0f, 0, 1f, 0f, 0L, 0, true);

    private static RowSampling deviceParams(SamplingState state) {
        SamplingParams p = state.params();
        if (state.needsHostLogits()) return HOST_LOGITS;
        float temperature = p.isGreedy() ? 0f : (float) p.temperature();
        int counter = state.nextOutputIndex();
        long[] mask = state.structuredMask(); // copied into the step's inputs at launch
        return new RowSampling(temperature, p.topK(), (float) p.topP(), (float) p.minP(), state.nextDeviceSeed(), counter, false, mask);
    }

    @Override
    public void close() {
        System.getLogger(CudaModelRunner.class.getName()).log(System.Logger.Level.INFO, "CUDA runner: " + executor.describeTotals());
        states.clear();
        try {
            executor.close();
        } finally {
            try {
                resources.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the CUDA backend failed: " + e.getMessage(), e);
            }
        }
    }
}
