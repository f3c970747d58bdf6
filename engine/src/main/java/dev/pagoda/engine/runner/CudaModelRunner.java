package dev.pagoda.engine.runner;

import dev.pagoda.engine.cuda.model.StepExecutor;
import dev.pagoda.engine.cuda.model.StepExecutor.RowSampling;
import dev.pagoda.engine.sample.SampledToken;
import dev.pagoda.engine.sample.Sampler;
import dev.pagoda.engine.sample.SamplerVocab;
import dev.pagoda.engine.sample.SamplingParams;
import dev.pagoda.engine.sample.SamplingState;
import dev.pagoda.engine.sched.ModelRunnerOutput;
import dev.pagoda.engine.sched.ScheduledSequence;
import dev.pagoda.engine.sched.SchedulerOutput;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CUDA backend's step: the forward pass and sampling run on the GPU and only token ids come
 * back. A request that needs what only the host sampler does — logprobs, logit bias, penalties,
 * an active min_tokens mask — gets its logits row copied back and sampled by {@link Sampler},
 * the same code as on the CPU; everything else (greedy, temperature, top-k, top-p, min-p) is
 * drawn on the device from a seed taken from the request's own generator, so a seeded request
 * repeats whatever shares its batch.
 */
public final class CudaModelRunner implements ModelRunner {

    private final StepExecutor executor;
    private final AutoCloseable resources;
    private final Sampler sampler;
    private final RequestSamplingStates states;
    private final int maxSampledRows;

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

    /** Sampling states held now (sequences seen and not yet finished); for tests of the cleanup. */
    public int liveSamplingStates() {
        return states.size();
    }

    public StepExecutor executor() {
        return executor;
    }

    @Override
    public ModelRunnerOutput execute(SchedulerOutput step) {
        Map<String, String> failed = new LinkedHashMap<>();
        List<ScheduledSequence> batch = states.admit(step, failed);
        Map<String, SampledToken> sampled = new LinkedHashMap<>();
        if (batch.isEmpty()) {
            if (!step.blockCopies().isEmpty()) throw new IllegalStateException("block copies in a step with nothing to run");
            return new ModelRunnerOutput(sampled, failed);
        }
        BatchLayout layout = BatchLayout.of(batch, step.blockSize());
        List<ScheduledSequence> sampling = layout.sampling();
        if (sampling.size() > maxSampledRows) {
            throw new IllegalStateException("step " + step.stepIndex() + " samples " + sampling.size()
                    + " sequences, the runner was sized for " + maxSampledRows);
        }
        RowSampling[] rows = new RowSampling[sampling.size()];
        for (int r = 0; r < rows.length; r++) {
            SamplingState state = states.get(sampling.get(r).requestId());
            rows[r] = deviceParams(state);
        }
        StepExecutor.Result result = executor.run(layout.batch(), step.blockCopies(), rows);
        for (int r = 0; r < rows.length; r++) {
            String id = sampling.get(r).requestId();
            SamplingState state = states.get(id);
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
        return new ModelRunnerOutput(sampled, failed);
    }

    private static RowSampling deviceParams(SamplingState state) {
        SamplingParams p = state.params();
        if (state.needsHostLogits()) return new RowSampling(0f, 0, 1f, 0f, 0L, 0, true);
        float temperature = p.isGreedy() ? 0f : (float) p.temperature();
        return new RowSampling(temperature, p.topK(), (float) p.topP(), (float) p.minP(), state.nextDeviceSeed(),
                state.outputCount(), false);
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
