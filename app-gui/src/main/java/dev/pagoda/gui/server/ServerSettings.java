package dev.pagoda.gui.server;

import dev.pagoda.engine.core.EngineConfig;
import dev.pagoda.webapi.server.ServerOptions;
import java.util.List;

/**
 * What the Server tab's form holds, already parsed: the model, where the server listens, and the
 * engine flags the panel exposes.
 *
 * @param model  a model folder or .gguf file; null for the embedded default model
 * @param listen the HTTP side
 * @param engine the engine side
 */
public record ServerSettings(String model, Listen listen, EngineLimits engine) {

    /**
     * @param host           interface to bind
     * @param port           0 picks a free port
     * @param apiKey         empty for no key
     * @param allowedOrigins CORS origins allowed to call the API ("*" for any); empty turns CORS off
     */
    public record Listen(String host, int port, String apiKey, List<String> allowedOrigins) {
        public Listen {
            if (host == null || host.isBlank()) throw new IllegalArgumentException("Host must not be empty");
            if (port < 0 || port > 65535) throw new IllegalArgumentException("Port must be in 0..65535, got " + port);
            if (apiKey == null) apiKey = "";
            allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
            for (String o : allowedOrigins) {
                if (o.isBlank() || o.chars().anyMatch(Character::isWhitespace)) {
                    throw new IllegalArgumentException("CORS origins must be comma-separated origins like"
                            + " http://localhost:3000 or *, got '" + o + "'");
                }
            }
        }

        /** No CORS. */
        public Listen(String host, int port, String apiKey) {
            this(host, port, apiKey, List.of());
        }
    }

    /**
     * @param maxModelLen   null for the model's own context length
     * @param blockSize     tokens per KV block
     * @param maxNumSeqs    sequences per step
     * @param prefixCaching reuse cached prompt-prefix blocks
     * @param kvCacheMiB    KV cache size on the CPU, in MiB
     * @param gpuMemoryUtilization share of GPU memory a CUDA engine may use, (0, 1]; EngineConfig checks the range
     */
    public record EngineLimits(Integer maxModelLen, int blockSize, int maxNumSeqs, boolean prefixCaching, long kvCacheMiB,
                               double gpuMemoryUtilization) {
        /** vLLM's default share of GPU memory. */
        public static final double DEFAULT_GPU_MEMORY_UTILIZATION = 0.9;

        public EngineLimits {
            if (kvCacheMiB < 1) throw new IllegalArgumentException("KV cache must be at least 1 MiB, got " + kvCacheMiB);
        }

        public EngineLimits(Integer maxModelLen, int blockSize, int maxNumSeqs, boolean prefixCaching, long kvCacheMiB) {
            this(maxModelLen, blockSize, maxNumSeqs, prefixCaching, kvCacheMiB, DEFAULT_GPU_MEMORY_UTILIZATION);
        }
    }

    /**
     * The panel's starting values: loopback on vLLM's port 8000. The KV cache is 256 MiB rather than
     * the command line's 4 GiB so a laptop can open the panel, and a few thousand blocks stay legible.
     */
    public static final ServerSettings DEFAULTS = new ServerSettings(null, new Listen("127.0.0.1", 8000, ""),
            new EngineLimits(null, 16, 256, true, 256));

    public ServerSettings {
        if (model != null && model.isBlank()) model = null;
        if (listen == null || engine == null) throw new IllegalArgumentException("listen and engine settings are required");
    }

    /** The engine config; EngineConfig's own checks name the flag at fault (block size, max-num-seqs, ...). */
    public EngineConfig engineConfig() {
        return EngineConfig.builder(model)
                .maxModelLen(engine.maxModelLen())
                .blockSize(engine.blockSize())
                .maxNumSeqs(engine.maxNumSeqs())
                .enablePrefixCaching(engine.prefixCaching())
                .kvCacheMemoryBytes(engine.kvCacheMiB() << 20)
                .gpuMemoryUtilization(engine.gpuMemoryUtilization())
                .device("auto") // the GPU where one is usable, as `pagoda serve`
                .build();
    }

    public ServerOptions serverOptions() {
        return ServerOptions.local().withAddress(listen.host(), listen.port())
                .withApiKey(listen.apiKey().isEmpty() ? null : listen.apiKey())
                .withAllowedOrigins(listen.allowedOrigins());
    }
}
