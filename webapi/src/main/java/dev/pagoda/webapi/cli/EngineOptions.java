package dev.pagoda.webapi.cli.bench;

import picocli.CommandLine.Option;

/**
 * The engine flags every {@code pagoda bench} command shares, with vLLM's names so a command line
 * carries over. Values left unset (null) mean "the engine's default".
 */
public final class EngineOptions {

    @Option(names = "--model", required = true, paramLabel = "MODEL",
            description = "A model folder, a .gguf file, or with --load-format dummy a built-in shape (llama3-8b, llama3.2-1b, qwen2.5-0.5b).")
    String model;

    @Option(names = "--load-format", defaultValue = "auto", paramLabel = "auto|dummy",
            description = "auto: read the weights; dummy: random weights of the model's shape (default: ${DEFAULT-VALUE}).")
    String loadFormat;

    @Option(names = "--device", defaultValue = "auto", paramLabel = "DEVICE", description = "auto (CUDA when usable, else cpu), cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--dtype", defaultValue = "auto", paramLabel = "DTYPE",
            description = "Storage of dummy weights: auto, float32, float16, bfloat16 (default: ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--max-num-seqs", paramLabel = "N", description = "Sequences per engine step at most.")
    Integer maxNumSeqs;

    @Option(names = "--max-num-batched-tokens", paramLabel = "N", description = "Tokens per engine step at most.")
    Integer maxNumBatchedTokens;

    @Option(names = "--max-model-len", paramLabel = "N", description = "Context length (prompt + output) at most.")
    Integer maxModelLen;

    @Option(names = "--block-size", paramLabel = "N", description = "Tokens per KV cache block.")
    Integer blockSize;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N",
            description = "Seed of the random prompts, of sampling and of dummy weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads of the kernels, the engine thread included.")
    Integer threads;

    @Option(names = "--gpu-memory-utilization", paramLabel = "F",
            description = "Share of the GPU's memory the engine may use, (0, 1]; the KV cache gets what the model leaves (default: 0.9).")
    Double gpuMemoryUtilization;

    @Option(names = "--async-scheduling", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Schedule the next step while the GPU runs the current one (default: ${DEFAULT-VALUE}; "
                    + "--no-async-scheduling waits for each step first).")
    boolean asyncScheduling = true;

    @Option(names = "--kv-cache-memory", paramLabel = "BYTES",
            description = "Bytes for the KV cache on the CPU, e.g. 4GiB, 512MiB or a plain number.")
    String kvCacheMemory;

    /**
     * Checks what the benchmark itself reads before any engine starts (loading a model can take
     * minutes; a typo should not). The engine checks the rest against the model.
     *
     * @throws IllegalArgumentException naming the flag
     */
    public void check() {
        if (!loadFormat.equals("auto") && !loadFormat.equals("dummy")) {
            throw new IllegalArgumentException("--load-format must be auto or dummy, got '" + loadFormat + "'");
        }
        if (threads != null && threads < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        kvCacheMemoryBytes();
    }

    public String model() {
        return model;
    }

    public String loadFormat() {
        return loadFormat;
    }

    public String device() {
        return device;
    }

    public String dtype() {
        return dtype;
    }

    public Integer maxNumSeqs() {
        return maxNumSeqs;
    }

    public Integer maxNumBatchedTokens() {
        return maxNumBatchedTokens;
    }

    public Integer maxModelLen() {
        return maxModelLen;
    }

    public Integer blockSize() {
        return blockSize;
    }

    public long seed() {
        return seed;
    }

    public boolean asyncScheduling() {
        return asyncScheduling;
    }

    public Double gpuMemoryUtilization() {
        return gpuMemoryUtilization;
    }

    public Integer threads() {
        return threads;
    }

    /** --kv-cache-memory in bytes, or null when not given. */
    public Long kvCacheMemoryBytes() {
        return kvCacheMemory == null ? null : ByteSizes.parse(kvCacheMemory, "--kv-cache-memory");
    }
}
