package dev.pagoda.engine.backend;

import dev.pagoda.catalog.tensor.DType;
import java.util.Optional;

/**
 * The engine settings a backend is built from, resolved for one model (the engine's
 * {@code EngineConfig.backendConfig} makes it).
 *
 * @param device               --device: auto, cpu, cuda or cuda:N
 * @param maxModelLen          the resolved context length
 * @param cpuMaxTokens         the token budget of a step on the CPU: its activation buffers are sized by it
 * @param gpuMaxTokens         the token budget of a step on a GPU
 * @param maxNumSeqs           --max-num-seqs
 * @param blockSize            --block-size
 * @param kvCacheMemoryBytes   --kv-cache-memory (CPU)
 * @param gpuMemoryUtilization --gpu-memory-utilization (CUDA)
 * @param dtype                --dtype as given, for messages
 * @param weightDtype          --dtype: how float weights are held; empty for auto (as stored, bfloat16 on CUDA)
 */
public record BackendConfig(String device, int maxModelLen, int cpuMaxTokens, int gpuMaxTokens, int maxNumSeqs, int blockSize,
                            long kvCacheMemoryBytes, double gpuMemoryUtilization, String dtype, Optional<DType> weightDtype) {

    /** The token budget of a step on the chosen kind of device. */
    public int maxTokens(boolean gpu) {
        return gpu ? gpuMaxTokens : cpuMaxTokens;
    }

    /** Most sequences a step samples: max-num-seqs, capped by the token budget. */
    public int maxSampledRows(boolean gpu) {
        return Math.min(maxNumSeqs, maxTokens(gpu));
    }
}
