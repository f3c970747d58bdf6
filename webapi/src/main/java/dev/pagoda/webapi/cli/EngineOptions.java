package dev.pagoda.webapi.cli;

import dev.pagoda.engine.core.EngineConfig;
import dev.pagoda.engine.sched.SchedulingPolicy;
import dev.pagoda.engine.load.LoadFormat;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/**
 * The engine flags {@code pagoda serve} and every {@code pagoda bench} command share (one
 * {@code @Mixin}), with vLLM's names and defaults so a vLLM command line carries over, and
 * {@link #toConfig} the one place they become an {@link EngineConfig}. Unset values (null) mean
 * the engine's default. vLLM flags Pagoda takes only at their default (one GPU, an unquantized
 * KV cache) are here too, hidden, so any other value gets "not supported yet" rather than a silent no.
 */
public final class EngineOptions {

    @Option(names = "--model", paramLabel = "MODEL",
            description = "A model folder (HF layout), a .gguf file, a Hugging Face repo id ORG/NAME[@REVISION] in the local hub cache"
                    + " (`pagoda pull` fetches one), or with --load-format dummy a built-in shape (llama3-8b, llama3.2-1b, "
                    + "qwen2.5-0.5b). Default: the embedded model.")
    String model;

    @Option(names = "--revision", paramLabel = "REV", description = "Branch, tag or commit of a repo id. Default: main.")
    String revision;

    @Option(names = "--download-dir", paramLabel = "DIR",
            description = "The Hugging Face hub cache repo ids are found in. Default: huggingface_hub's ($HF_HUB_CACHE, "
                    + "$HF_HOME/hub, ~/.cache/huggingface/hub).")
    String downloadDir;

    @Option(names = "--load-format", defaultValue = "auto", paramLabel = "auto|dummy",
            description = "auto: read the weights; dummy: random weights of the model's shape. Default: ${DEFAULT-VALUE}.")
    String loadFormat;

    @Option(names = "--dtype", defaultValue = "auto", paramLabel = "DTYPE",
            description = "How weights are held: auto (as stored; dummy weights as the config's torch_dtype), float32, "
                    + "bfloat16 or float16 (half, float); on a GPU auto or bfloat16. Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N",
            description = "Seed of dummy weights and of sampling for requests that bring none (the same requests in the same "
                    + "order sample alike on a fresh engine); bench also seeds its prompts with it. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--generation-config", defaultValue = "auto", paramLabel = "auto|vllm|DIR",
            description = "Default sampling parameters: auto = the model's generation_config.json, vllm = none of it (the "
                    + "OpenAI defaults), or a folder holding a generation_config.json. Default: ${DEFAULT-VALUE}.")
    String generationConfig;

    @Option(names = "--device", defaultValue = "auto", paramLabel = "DEVICE",
            description = "auto (CUDA when a usable GPU is present, else the CPU), cpu, cuda or cuda:N. Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--max-model-len", paramLabel = "N", converter = TokenCount.class,
            description = "Longest prompt + completion, e.g. 4096, 32k (= 32000) or 32K (= 32768). Default: the model's.")
    Integer maxModelLen;

    @Option(names = "--block-size", paramLabel = "N", description = "Tokens per KV-cache block. Default: 16.")
    Integer blockSize;

    @Option(names = "--max-num-seqs", paramLabel = "N", description = "Most sequences in one step. Default: 256.")
    Integer maxNumSeqs;

    @Option(names = "--max-num-batched-tokens", paramLabel = "N",
            description = "Most tokens in one step. Default: 2048 on the CPU, 8192 on a GPU.")
    Integer maxNumBatchedTokens;

    @Option(names = "--gpu-memory-utilization", paramLabel = "F",
            description = "Share of the GPU's memory the engine may use, (0, 1]; the KV cache gets what the model leaves. Default: 0.9.")
    Double gpuMemoryUtilization;

    @Option(names = {"--kv-cache-memory", "--kv-cache-memory-bytes"}, paramLabel = "BYTES",
            description = "Bytes of KV cache on the CPU, e.g. 4GiB, 512MiB or a plain number. Default: 4 GiB, as vLLM's "
                    + "VLLM_CPU_KVCACHE_SPACE.")
    String kvCacheMemory;

    @Option(names = "--enable-prefix-caching", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Reuse the KV blocks of shared prompt prefixes. Default: on.")
    boolean enablePrefixCaching = true;

    @Option(names = "--enable-chunked-prefill", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Split long prompts over steps within --max-num-batched-tokens. Default: on.")
    boolean enableChunkedPrefill = true;

    @Option(names = "--async-scheduling", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "On a GPU, schedule the next step while the current one runs (--no-async-scheduling waits for each). "
                    + "Default: on.")
    boolean asyncScheduling = true;

    @Option(names = "--scheduling-policy", paramLabel = "fcfs|priority",
            description = "fcfs (arrival order) or priority (the request's 'priority', lower first). Default: fcfs.")
    String schedulingPolicy;

    @Option(names = "--max-logprobs", paramLabel = "N", description = "Most logprobs and prompt_logprobs a request may ask for. Default: 20, as vLLM.")
    Integer maxLogprobs;

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads of the kernels, the engine thread included. "
            + "Default: every core.")
    Integer threads;

    // vLLM flags accepted at their default only.

    @Option(names = {"--tensor-parallel-size", "-tp"}, hidden = true, defaultValue = "1")
    int tensorParallelSize;

    @Option(names = {"--pipeline-parallel-size", "-pp"}, hidden = true, defaultValue = "1")
    int pipelineParallelSize;

    @Option(names = {"--data-parallel-size", "-dp"}, hidden = true, defaultValue = "1")
    int dataParallelSize;

    @Option(names = "--kv-cache-dtype", hidden = true, defaultValue = "auto")
    String kvCacheDtype;

    @Option(names = "--trust-remote-code", hidden = true,
            description = "Accepted so vLLM command lines carry over: Pagoda runs no code from model repos.")
    boolean trustRemoteCode;

    /** --model as given (serve may take it positionally instead). */
    public String model() {
        return model;
    }

    public long seed() {
        return seed;
    }

    /** --threads, or null for every core. */
    public Integer threads() {
        return threads;
    }

    /**
     * The engine configuration these flags describe, for {@code model}; the caller adds its own
     * (served names) and builds. Checks what does not need the model, naming the flag.
     *
     * @throws IllegalArgumentException naming the flag at fault
     */
    public EngineConfig.Builder toConfig(String model) {
        requireDefault("--tensor-parallel-size", tensorParallelSize, "it serves from one GPU");
        requireDefault("--pipeline-parallel-size", pipelineParallelSize, "it serves from one GPU");
        requireDefault("--data-parallel-size", dataParallelSize, "one engine serves each process");
        if (!kvCacheDtype.equalsIgnoreCase("auto")) {
            throw new IllegalArgumentException(UnsupportedVllmFlags.notYet("--kv-cache-dtype " + kvCacheDtype,
                    "the KV cache is held as the model computes: auto only"));
        }
        if (threads != null && threads < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        EngineConfig.Builder b = EngineConfig.builder(model)
                .revision(revision)
                .downloadDir(downloadDir)
                .loadFormat(LoadFormat.parse(loadFormat))
                .dtype(dtype)
                .generationConfig(generationConfig)
                .seed(seed)
                .device(device)
                .maxModelLen(maxModelLen)
                .maxNumBatchedTokens(maxNumBatchedTokens)
                .enablePrefixCaching(enablePrefixCaching)
                .enableChunkedPrefill(enableChunkedPrefill)
                .asyncScheduling(asyncScheduling);
        if (blockSize != null) b.blockSize(blockSize);
        if (maxNumSeqs != null) b.maxNumSeqs(maxNumSeqs);
        if (gpuMemoryUtilization != null) b.gpuMemoryUtilization(gpuMemoryUtilization);
        if (kvCacheMemory != null) b.kvCacheMemoryBytes(ByteSizes.parse(kvCacheMemory, "--kv-cache-memory"));
        if (threads != null) b.cpuThreads(threads);
        if (schedulingPolicy != null) b.schedulingPolicy(schedulingPolicy(schedulingPolicy));
        if (maxLogprobs != null) b.maxLogprobs(maxLogprobs);
        return b;
    }

    private static SchedulingPolicy schedulingPolicy(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "fcfs" -> SchedulingPolicy.FCFS;
            case "priority" -> SchedulingPolicy.PRIORITY;
            default -> throw new IllegalArgumentException("--scheduling-policy must be fcfs or priority, got '" + name + "'");
        };
    }

    private static void requireDefault(String flag, int value, String why) {
        if (value != 1) throw new IllegalArgumentException(UnsupportedVllmFlags.notYet(flag + " " + value, why));
    }

    /**
     * vLLM's human-readable counts: {@code 32k} = 32,000 and {@code 32K} = 32,768 (lower case
     * decimal, upper case binary; k, m, g), decimals allowed ({@code 25.6k}).
     */
    public static final class TokenCount implements ITypeConverter<Integer> {
        private static final Pattern COUNT = Pattern.compile("(\\d+(?:\\.\\d+)?)([kmgKMG]?)");

        @Override
        public Integer convert(String text) {
            Matcher m = COUNT.matcher(text.strip());
            if (!m.matches()) throw new IllegalArgumentException("expected a count such as 4096, 32k or 32K, got '" + text + "'");
            String unit = m.group(2);
            BigDecimal scale = switch (unit) {
                case "" -> BigDecimal.ONE;
                case "k", "m", "g" -> BigDecimal.TEN.pow(3 * ("kmg".indexOf(unit) + 1));
                default -> BigDecimal.valueOf(2).pow(10 * ("KMG".indexOf(unit) + 1));
            };
            BigDecimal value = new BigDecimal(m.group(1)).multiply(scale);
            try {
                return value.intValueExact();
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("expected a whole count below 2^31, got '" + text + "' = "
                        + value.toPlainString().toLowerCase(Locale.ROOT));
            }
        }
    }
}
