package dev.pagoda.webapi.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * vLLM engine and server flags Pagoda does not have (yet), so a vLLM command line fails with one
 * line that names the flag and says so, instead of picocli's "Unknown option". Flags Pagoda takes
 * at their default only ({@code --tensor-parallel-size 1}, {@code --kv-cache-dtype auto}) are
 * {@link EngineOptions}' hidden options instead.
 */
final class UnsupportedVllmFlags {

    private static final String ONE_GPU = "it serves from one GPU";
    private static final String LORA = "no LoRA adapters yet: merge the adapter into the weights";
    private static final String SPECULATIVE = "no speculative decoding yet";
    private static final String TLS = "put a TLS-terminating reverse proxy (nginx, Caddy) in front";
    private static final String TOKENIZER = "the model's own tokenizer.json (or GGUF vocabulary) is used";
    private static final String MULTIMODAL = "text models only";
    private static final String GRAPHS = "CUDA graphs are captured per decode batch size by Pagoda itself";
    private static final String OVERRIDES = "edit the model's config.json instead";

    /** Flag (every spelling vLLM accepts) -> why, or what to do instead. */
    private static final Map<String, String> FLAGS = new LinkedHashMap<>();

    static {
        put(ONE_GPU, "--distributed-executor-backend", "--enable-expert-parallel", "--data-parallel-address",
                "--data-parallel-rpc-port", "--data-parallel-size-local", "--api-server-count", "--headless");
        put("serve a quantized .gguf file (Q8_0, Q4_K, …) instead", "--quantization", "-q");
        put(SPECULATIVE, "--speculative-config", "--speculative-model", "--num-speculative-tokens");
        put(LORA, "--enable-lora", "--lora-modules", "--max-loras", "--max-lora-rank", "--max-cpu-loras",
                "--fully-sharded-loras", "--lora-dtype", "--long-lora-scaling-factors");
        put("weights stay in memory; nothing is offloaded", "--cpu-offload-gb", "--swap-space", "--kv-offloading-size");
        put(GRAPHS, "--enforce-eager", "--max-seq-len-to-capture", "--cuda-graph-sizes", "--compilation-config", "-O");
        put(TOKENIZER, "--tokenizer", "--tokenizer-mode", "--tokenizer-revision", "--skip-tokenizer-init", "--code-revision");
        put(OVERRIDES, "--hf-overrides", "--rope-scaling", "--rope-theta", "--override-generation-config");
        put(MULTIMODAL, "--limit-mm-per-prompt", "--mm-processor-kwargs", "--disable-mm-preprocessor-cache");
        put(TLS, "--ssl-keyfile", "--ssl-certfile", "--ssl-ca-certs", "--ssl-cert-reqs");
        put("the KV cache never leaves this process", "--kv-transfer-config", "--kv-events-config");
        put("no tracing exporter yet; /metrics has vLLM's metrics", "--otlp-traces-endpoint", "--collect-detailed-traces");
        put("preemption always recomputes", "--preemption-mode");
        put("the KV cache is sized from --gpu-memory-utilization or --kv-cache-memory", "--num-gpu-blocks-override");
        put("no sleep mode yet", "--enable-sleep-mode");
        put("no logits processor plug-ins", "--logits-processors");
    }

    private UnsupportedVllmFlags() {}

    private static void put(String why, String... names) {
        for (String name : names) FLAGS.put(name, why);
    }

    /** The one-line refusal for {@code arg} ({@code --flag} or {@code --flag=value}) when it is a vLLM flag Pagoda lacks. */
    static Optional<String> refusal(String arg) {
        int eq = arg.indexOf('=');
        String flag = eq < 0 ? arg : arg.substring(0, eq);
        // short flags carry their value attached: -O3, -qfp8
        if (!FLAGS.containsKey(flag) && flag.length() > 2 && flag.charAt(0) == '-' && flag.charAt(1) != '-') flag = flag.substring(0, 2);
        String why = FLAGS.get(flag);
        return why == null ? Optional.empty() : Optional.of(notYet(flag, why));
    }

    /** "Pagoda does not support --X yet (why)", the wording every such refusal shares. */
    static String notYet(String flag, String why) {
        return "Pagoda does not support " + flag + " yet (" + why + ")";
    }
}
