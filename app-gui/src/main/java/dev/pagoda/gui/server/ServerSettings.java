package dev.pagoda.gui.server;

import dev.pagoda.engine.core.EngineConfig;
import dev.pagoda.webapi.server.ServerOptions;

/**
 * What the Server tab's form holds, already parsed: the embedded server's address and key and the
 * engine flags the panel exposes. Always the embedded default model until the Models tab exists.
 *
 * @param host           interface to bind
 * @param port           0 picks a free port
 * @param apiKey         empty for no key
 * @param maxModelLen    null for the model's own context length
 * @param blockSize      tokens per KV block
 * @param maxNumSeqs     sequences per step
 * @param prefixCaching  reuse cached prompt-prefix blocks
 * @param kvCacheMiB     KV cache size on the CPU, in MiB
 */
public record ServerSettings(String host, int port, String apiKey, Integer maxModelLen, int blockSize, int maxNumSeqs,
        boolean prefixCaching, long kvCacheMiB) {

    /**
     * The panel's starting values: loopback on vLLM's port 8000. The KV cache is 256 MiB rather than
     * the command line's 4 GiB so a laptop can open the panel, and a few thousand blocks stay legible.
     */
    public static final ServerSettings DEFAULTS = new ServerSettings("127.0.0.1", 8000, "", null, 16, 256, true, 256);

    public ServerSettings {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("Host must not be empty");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("Port must be in 0..65535, got " + port);
        if (apiKey == null) apiKey = "";
        if (kvCacheMiB < 1) throw new IllegalArgumentException("KV cache must be at least 1 MiB, got " + kvCacheMiB);
    }

    /** The engine config; EngineConfig's own checks name the flag at fault (block size, max-num-seqs, ...). */
    public EngineConfig engineConfig() {
        return EngineConfig.builder(null)
                .maxModelLen(maxModelLen)
                .blockSize(blockSize)
                .maxNumSeqs(maxNumSeqs)
                .enablePrefixCaching(prefixCaching)
                .kvCacheMemoryBytes(kvCacheMiB << 20)
                .build();
    }

    public ServerOptions serverOptions() {
        return ServerOptions.local().withAddress(host, port).withApiKey(apiKey.isEmpty() ? null : apiKey);
    }
}
