package dev.pagoda.engine.core;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.engine.backend.BackendConfig;
import dev.pagoda.engine.load.LoadFormat;
import dev.pagoda.engine.sample.SamplingParams;
import dev.pagoda.engine.sched.SchedulerConfig;
import dev.pagoda.engine.sched.SchedulingPolicy;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How to start an engine, with vLLM's names (the command-line flags are their kebab-case forms).
 * Every check names the flag at fault. {@link #builder(String)} starts from vLLM's defaults.
 *
 * @param model                 --model: a folder, a .gguf file, a Hugging Face repo id in the local hub cache
 *                              ({@code ORG/NAME[@REV]}) or (with dummy) a built-in shape; null for the embedded default model
 * @param revision              --revision of a repo id: branch, tag or commit; null for main
 * @param servedModelNames      --served-model-name: every name clients may use, the first reported; empty for the model's own name
 * @param loadFormat            --load-format auto|dummy
 * @param downloadDir           --download-dir: the hub cache repo ids are looked up in; null for huggingface_hub's own
 *                              ($HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub)
 * @param dtype                 --dtype auto|float32|float16|bfloat16: how weights are held (auto = as stored; for dummy
 *                              weights the config's torch_dtype); on CUDA only auto or bfloat16
 * @param generationConfig      --generation-config: auto (the model's generation_config.json), vllm (ignore it) or a folder
 * @param maxModelLen           --max-model-len, null for the model's max_position_embeddings
 * @param blockSize             --block-size, tokens per KV block
 * @param kvCacheMemoryBytes    --kv-cache-memory on the CPU: bytes for K and V of all blocks
 * @param gpuMemoryUtilization  --gpu-memory-utilization on CUDA devices, (0, 1]
 * @param maxNumSeqs            --max-num-seqs per step
 * @param maxNumBatchedTokens   --max-num-batched-tokens per step, null for the default (see {@link #resolvedMaxNumBatchedTokens})
 * @param enablePrefixCaching   --enable-prefix-caching
 * @param enableChunkedPrefill  --enable-chunked-prefill
 * @param maxWaitingRequests    requests queued beyond this are refused (HTTP 503)
 * @param schedulingPolicy      --scheduling-policy fcfs|priority
 * @param device                --device auto|cpu|cuda|cuda:N (auto: CUDA when usable, else the CPU)
 * @param cpuThreads            threads of the CPU kernels, the engine thread included
 * @param seed                  --seed: of dummy weights, and of the sampling of every request that brings no seed of
 *                              its own (drawn in arrival order, so a fresh engine replays the same requests alike, as vLLM)
 * @param asyncScheduling       --async-scheduling: schedule step N+1 while step N runs, on a
 *                              backend that keeps sampled tokens on its device (CUDA)
 * @param maxLogprobs           --max-logprobs: most logprobs and prompt_logprobs a request may ask for
 */
public record EngineConfig(
        String model,
        String revision,
        List<String> servedModelNames,
        LoadFormat loadFormat,
        String downloadDir,
        String dtype,
        String generationConfig,
        Integer maxModelLen,
        int blockSize,
        long kvCacheMemoryBytes,
        double gpuMemoryUtilization,
        int maxNumSeqs,
        Integer maxNumBatchedTokens,
        boolean enablePrefixCaching,
        boolean enableChunkedPrefill,
        int maxWaitingRequests,
        SchedulingPolicy schedulingPolicy,
        String device,
        int cpuThreads,
        long seed,
        boolean asyncScheduling,
        int maxLogprobs) {

    /** Per-step token budget on the CPU with chunked prefill: activation buffers scale with it. */
    public static final int DEFAULT_CPU_BATCHED_TOKENS = 2048;

    /** Per-step token budget on a GPU (vLLM V1's offline default): prefill GEMMs need thousands of rows to fill the tensor cores. */
    public static final int DEFAULT_GPU_BATCHED_TOKENS = 8192;

    public EngineConfig {
        if (model != null && model.isBlank()) throw new IllegalArgumentException("--model must not be blank (leave it out for the default model)");
        if (revision != null && revision.isBlank()) throw new IllegalArgumentException("--revision must not be blank");
        servedModelNames = List.copyOf(servedModelNames);
        for (String name : servedModelNames) {
            if (name.isBlank()) throw new IllegalArgumentException("--served-model-name must not be blank");
        }
        if (servedModelNames.stream().distinct().count() != servedModelNames.size()) {
            throw new IllegalArgumentException("--served-model-name lists a name twice: " + servedModelNames);
        }
        if (loadFormat == null) throw new IllegalArgumentException("--load-format must be auto or dummy");
        if (downloadDir != null && downloadDir.isBlank()) throw new IllegalArgumentException("--download-dir must not be blank");
        dummyDtype(dtype, null); // validates the name
        if (generationConfig == null || generationConfig.isBlank()) {
            throw new IllegalArgumentException("--generation-config must be auto, vllm or a folder");
        }
        if (maxModelLen != null && maxModelLen < 2) {
            throw new IllegalArgumentException("--max-model-len must be at least 2 (a prompt token and an output token), got " + maxModelLen);
        }
        if (blockSize < 1 || blockSize > 256) throw new IllegalArgumentException("--block-size must be in [1, 256], got " + blockSize);
        if (kvCacheMemoryBytes < 1) throw new IllegalArgumentException("--kv-cache-memory must be positive, got " + kvCacheMemoryBytes + " bytes");
        if (!(gpuMemoryUtilization > 0 && gpuMemoryUtilization <= 1)) {
            throw new IllegalArgumentException("--gpu-memory-utilization must be in (0, 1], got " + gpuMemoryUtilization);
        }
        if (maxNumSeqs < 1) throw new IllegalArgumentException("--max-num-seqs must be >= 1, got " + maxNumSeqs);
        if (maxNumBatchedTokens != null && maxNumBatchedTokens < 1) {
            throw new IllegalArgumentException("--max-num-batched-tokens must be >= 1, got " + maxNumBatchedTokens);
        }
        if (maxWaitingRequests < 1) throw new IllegalArgumentException("--max-waiting-requests must be >= 1, got " + maxWaitingRequests);
        if (schedulingPolicy == null) throw new IllegalArgumentException("--scheduling-policy must be fcfs or priority");
        if (device == null || !device.matches("auto|cpu|cuda(:\\d+)?")) {
            throw new IllegalArgumentException("--device must be auto, cpu, cuda or cuda:N, got '" + device + "'");
        }
        if (cpuThreads < 1) throw new IllegalArgumentException("--cpu-threads must be >= 1, got " + cpuThreads);
        if (maxLogprobs < 0) throw new IllegalArgumentException("--max-logprobs must be >= 0, got " + maxLogprobs);
    }

    public static Builder builder(String model) {
        return new Builder(model);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The context length for {@code spec}: --max-model-len, or the model's own. */
    public int resolvedMaxModelLen(ModelSpec spec) {
        if (maxModelLen == null) return spec.maxPositionEmbeddings();
        if (maxModelLen > spec.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("--max-model-len " + maxModelLen + " exceeds the model's max_position_embeddings "
                    + spec.maxPositionEmbeddings());
        }
        return maxModelLen;
    }

    /**
     * --max-num-batched-tokens, else {@value #DEFAULT_CPU_BATCHED_TOKENS} with chunked prefill
     * (vLLM's small-budget default; the CPU's activation buffers are sized by it) and without
     * chunked prefill the context length, since a whole prompt must then fit one step.
     */
    public int resolvedMaxNumBatchedTokens(int resolvedMaxModelLen) {
        return resolvedMaxNumBatchedTokens(resolvedMaxModelLen, false);
    }

    /** As {@link #resolvedMaxNumBatchedTokens(int)}, with {@value #DEFAULT_GPU_BATCHED_TOKENS} as the default on a GPU. */
    public int resolvedMaxNumBatchedTokens(int resolvedMaxModelLen, boolean gpu) {
        if (maxNumBatchedTokens != null) return maxNumBatchedTokens;
        int base = gpu ? DEFAULT_GPU_BATCHED_TOKENS : DEFAULT_CPU_BATCHED_TOKENS;
        return enableChunkedPrefill ? base : Math.max(base, resolvedMaxModelLen);
    }

    /** Storage of dummy weights: --dtype, where auto means the config's torch_dtype (F32 if it names none). */
    public DType dummyDtype(ModelSpec spec) {
        return dummyDtype(dtype, spec);
    }

    /** --dtype for real weights: empty for auto (as stored), else the type every float tensor is held in. */
    public Optional<DType> weightDtype() {
        return "auto".equalsIgnoreCase(dtype) ? Optional.empty() : Optional.of(dummyDtype(dtype, null));
    }

    private static DType dummyDtype(String name, ModelSpec spec) {
        String n = name == null ? "" : name.toLowerCase(Locale.ROOT);
        return switch (n) {
            case "auto" -> spec == null || spec.torchDtype() == null ? DType.F32 : dummyDtype(spec.torchDtype(), null);
            case "float32", "float" -> DType.F32;
            case "float16", "half" -> DType.F16;
            case "bfloat16" -> DType.BF16;
            default -> throw new IllegalArgumentException("--dtype must be auto, float32, float16 or bfloat16, got '" + name + "'");
        };
    }

    /** The scheduler's settings once the model and the KV pool are known. */
    public SchedulerConfig schedulerConfig(int resolvedMaxModelLen, int numBlocks) {
        return schedulerConfig(resolvedMaxModelLen, numBlocks, false);
    }

    public SchedulerConfig schedulerConfig(int resolvedMaxModelLen, int numBlocks, boolean gpu) {
        return new SchedulerConfig(maxNumSeqs, resolvedMaxNumBatchedTokens(resolvedMaxModelLen, gpu), resolvedMaxModelLen,
                blockSize, numBlocks, enablePrefixCaching, enableChunkedPrefill, 0, maxWaitingRequests, schedulingPolicy);
    }

    /** What a backend is built from, for a model of context length {@code resolvedMaxModelLen}. */
    public BackendConfig backendConfig(int resolvedMaxModelLen) {
        return new BackendConfig(device, resolvedMaxModelLen, resolvedMaxNumBatchedTokens(resolvedMaxModelLen, false),
                resolvedMaxNumBatchedTokens(resolvedMaxModelLen, true), maxNumSeqs, blockSize, kvCacheMemoryBytes, gpuMemoryUtilization,
                dtype, weightDtype());
    }

    /** Staging for an {@link EngineConfig} with vLLM's defaults; {@link #build()} validates. */
    public static final class Builder {
        private String model;
        private String revision;
        private List<String> servedModelNames = List.of();
        private LoadFormat loadFormat = LoadFormat.AUTO;
        private String downloadDir;
        private String dtype = "auto";
        private String generationConfig = "auto";
        private Integer maxModelLen;
        private int blockSize = 16;
        private long kvCacheMemoryBytes = 4L << 30; // vLLM's VLLM_CPU_KVCACHE_SPACE default, 4 GiB
        private double gpuMemoryUtilization = 0.9;
        private int maxNumSeqs = 256;
        private Integer maxNumBatchedTokens;
        private boolean enablePrefixCaching = true;
        private boolean enableChunkedPrefill = true;
        private int maxWaitingRequests = 4096;
        private SchedulingPolicy schedulingPolicy = SchedulingPolicy.FCFS;
        private String device = "cpu";
        private int cpuThreads = Runtime.getRuntime().availableProcessors();
        private long seed;
        private boolean asyncScheduling = true;
        private int maxLogprobs = SamplingParams.DEFAULT_MAX_LOGPROBS;

        private Builder(String model) {
            this.model = model;
        }

        private Builder(EngineConfig c) {
            model = c.model; revision = c.revision; servedModelNames = c.servedModelNames; loadFormat = c.loadFormat;
            downloadDir = c.downloadDir; dtype = c.dtype; generationConfig = c.generationConfig;
            maxModelLen = c.maxModelLen; blockSize = c.blockSize; kvCacheMemoryBytes = c.kvCacheMemoryBytes;
            gpuMemoryUtilization = c.gpuMemoryUtilization; maxNumSeqs = c.maxNumSeqs; maxNumBatchedTokens = c.maxNumBatchedTokens;
            enablePrefixCaching = c.enablePrefixCaching; enableChunkedPrefill = c.enableChunkedPrefill;
            maxWaitingRequests = c.maxWaitingRequests; schedulingPolicy = c.schedulingPolicy; device = c.device;
            cpuThreads = c.cpuThreads; seed = c.seed; asyncScheduling = c.asyncScheduling; maxLogprobs = c.maxLogprobs;
        }

        public Builder model(String v) { model = v; return this; }
        public Builder revision(String v) { revision = v; return this; }
        public Builder servedModelNames(List<String> v) { servedModelNames = v == null ? List.of() : v; return this; }
        /** One served name; null for the model's own. */
        public Builder servedModelName(String v) { return servedModelNames(v == null ? List.of() : List.of(v)); }
        public Builder loadFormat(LoadFormat v) { loadFormat = v; return this; }
        public Builder downloadDir(String v) { downloadDir = v; return this; }
        public Builder dtype(String v) { dtype = v; return this; }
        public Builder generationConfig(String v) { generationConfig = v; return this; }
        public Builder maxModelLen(Integer v) { maxModelLen = v; return this; }
        public Builder blockSize(int v) { blockSize = v; return this; }
        public Builder kvCacheMemoryBytes(long v) { kvCacheMemoryBytes = v; return this; }
        public Builder gpuMemoryUtilization(double v) { gpuMemoryUtilization = v; return this; }
        public Builder maxNumSeqs(int v) { maxNumSeqs = v; return this; }
        public Builder maxNumBatchedTokens(Integer v) { maxNumBatchedTokens = v; return this; }
        public Builder enablePrefixCaching(boolean v) { enablePrefixCaching = v; return this; }
        public Builder enableChunkedPrefill(boolean v) { enableChunkedPrefill = v; return this; }
        public Builder maxWaitingRequests(int v) { maxWaitingRequests = v; return this; }
        public Builder schedulingPolicy(SchedulingPolicy v) { schedulingPolicy = v; return this; }
        public Builder device(String v) { device = v; return this; }
        public Builder cpuThreads(int v) { cpuThreads = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder asyncScheduling(boolean v) { asyncScheduling = v; return this; }
        public Builder maxLogprobs(int v) { maxLogprobs = v; return this; }

        public EngineConfig build() {
            return new EngineConfig(model, revision, servedModelNames, loadFormat, downloadDir, dtype, generationConfig,
                    maxModelLen, blockSize, kvCacheMemoryBytes, gpuMemoryUtilization, maxNumSeqs, maxNumBatchedTokens,
                    enablePrefixCaching, enableChunkedPrefill, maxWaitingRequests, schedulingPolicy, device, cpuThreads, seed,
                    asyncScheduling, maxLogprobs);
        }
    }
}
