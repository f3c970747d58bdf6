package dev.pagoda.webapi.cli.bench;

import dev.pagoda.engine.api.InferenceEngine;
import dev.pagoda.engine.core.EngineConfig;
import dev.pagoda.engine.core.LocalEngine;
import dev.pagoda.webapi.cli.EngineFlags;
import dev.pagoda.webapi.cli.EngineLauncher;

/**
 * Starts Pagoda's own engine from the benchmark flags: the flags {@code pagoda serve} shares go
 * through its {@link EngineLauncher#config}, so both commands configure an engine the same way;
 * the benchmark's own ones (--dtype, --seed, --threads) are set on top. Prefix caching stays on,
 * as in vLLM's benchmarks.
 */
final class LocalEngineLauncher implements BenchEngineLauncher {

    @Override
    public InferenceEngine start(EngineOptions o) {
        return LocalEngine.start(config(o));
    }

    static EngineConfig config(EngineOptions o) {
        EngineFlags shared = new EngineFlags(o.model(), null, o.loadFormat(), o.maxModelLen(), o.blockSize(), o.maxNumSeqs(),
                o.maxNumBatchedTokens(), o.gpuMemoryUtilization(), true, o.device(), o.kvCacheMemoryBytes(),
                o.asyncScheduling(), null, null);
        EngineConfig.Builder b = EngineLauncher.config(shared).toBuilder().dtype(o.dtype()).seed(o.seed());
        if (o.threads() != null) b.cpuThreads(o.threads());
        return b.build();
    }
}
