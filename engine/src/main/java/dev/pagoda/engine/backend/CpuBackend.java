package dev.pagoda.engine.backend;

import dev.pagoda.engine.backend.cpu.CpuModel;
import dev.pagoda.engine.backend.cpu.LinearFactory;
import dev.pagoda.engine.cpu.CpuKvCache;
import dev.pagoda.engine.cpu.Parallel;
import dev.pagoda.engine.load.CastWeights;
import dev.pagoda.engine.load.LoadedModel;
import dev.pagoda.engine.model.ModelOptions;
import dev.pagoda.engine.model.arch.Architectures;
import dev.pagoda.engine.runner.CpuModelRunner;
import dev.pagoda.engine.sample.SamplerVocab;

/**
 * Sets up the CPU backend for an engine: the model's architecture over the Vector-API kernels
 * (activation buffers sized for the step's token budget), then an f32 paged KV cache of what
 * {@code --kv-cache-memory} holds.
 */
public final class CpuBackend {

    private CpuBackend() {}

    public static Backend create(LoadedModel loaded, BackendConfig config, SamplerVocab vocab, Parallel parallel, LinearFactory linears) {
        LoadedModel model = CastWeights.apply(loaded, config.weightDtype());
        try {
            KvCapacity capacity = KvCapacity.forCpu(model.spec(), config);
            int maxTokens = config.maxTokens(false);
            CpuModel cpuModel = CpuModel.load(model.weights(), Architectures::create, w -> linears.create(w, parallel, maxTokens),
                    new ModelOptions(maxTokens, config.maxModelLen()), parallel);
            try {
                CpuKvCache cache = new CpuKvCache(cpuModel.kvCacheShape(capacity.numBlocks(), config.blockSize()));
                CpuModelRunner runner = new CpuModelRunner(cpuModel, cache, vocab, config.maxSampledRows(false));
                return new Backend(runner, capacity, "cpu", model.weightDtype(), "CPU: " + parallel.threads() + " threads", model);
            } catch (RuntimeException e) {
                cpuModel.close();
                throw e;
            }
        } catch (RuntimeException e) {
            CastWeights.releaseCasts(model); // the caller closes the model it loaded, not the casts made here
            throw e;
        }
    }
}
