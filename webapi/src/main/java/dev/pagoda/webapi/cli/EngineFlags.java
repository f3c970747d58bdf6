package dev.pagoda.webapi.cli;

/**
 * The engine flags of {@code pagoda serve}, vLLM's names, as parsed; {@link EngineLauncher} turns them
 * into an engine. Null means "not given" (the engine's default).
 *
 * @param model                --model: a model folder, a .gguf file or a built-in shape name
 * @param servedModelName      --served-model-name
 * @param loadFormat           --load-format auto|dummy
 * @param maxModelLen          --max-model-len
 * @param blockSize            --block-size
 * @param maxNumSeqs           --max-num-seqs
 * @param maxNumBatchedTokens  --max-num-batched-tokens
 * @param gpuMemoryUtilization --gpu-memory-utilization
 * @param enablePrefixCaching  --enable-prefix-caching / --no-enable-prefix-caching
 * @param device               --device cpu|cuda|cuda:N
 * @param kvCacheMemoryBytes   --kv-cache-memory: bytes of KV cache on the CPU (vLLM's VLLM_CPU_KVCACHE_SPACE)
 * @param asyncScheduling      --async-scheduling / --no-async-scheduling
 * @param schedulingPolicy     --scheduling-policy fcfs|priority
 * @param maxLogprobs          --max-logprobs
 */
public record EngineFlags(
        String model,
        String servedModelName,
        String loadFormat,
        Integer maxModelLen,
        Integer blockSize,
        Integer maxNumSeqs,
        Integer maxNumBatchedTokens,
        Double gpuMemoryUtilization,
        boolean enablePrefixCaching,
        String device,
        Long kvCacheMemoryBytes,
        boolean asyncScheduling,
        String schedulingPolicy,
        Integer maxLogprobs) {}
