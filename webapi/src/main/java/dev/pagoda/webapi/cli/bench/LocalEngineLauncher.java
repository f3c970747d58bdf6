package dev.pagoda.webapi.cli.bench;

import dev.pagoda.engine.api.InferenceEngine;
import dev.pagoda.engine.core.EngineConfig;
import dev.pagoda.engine.core.LocalEngine;
import dev.pagoda.engine.load.LoadFormat;

/** Starts Pagoda's own engine from the benchmark flags; what a flag leaves unset keeps the engine's default. */
final class LocalEngineLauncher implements EngineLauncher {

    @Override
    public InferenceEngine start(EngineOptions o) {
        return LocalEngine.start(config(o));
    }

    static EngineConfig config(EngineOptions o) {
        EngineConfig.Builder b = EngineConfig.builder(o.model())
                .loadFormat(LoadFormat.parse(o.loadFormat()))
                .device(o.device())
                .dtype(o.dtype())
                .seed(o.seed())
                .maxModelLen(o.maxModelLen())
                .maxNumBatchedTokens(o.maxNumBatchedTokens());
        if (o.maxNumSeqs() != null) b.maxNumSeqs(o.maxNumSeqs());
        if (o.blockSize() != null) b.blockSize(o.blockSize());
        if (o.threads() != null) b.cpuThreads(o.threads());
        Long kv = o.kvCacheMemoryBytes();
        if (kv != null) b.kvCacheMemoryBytes(kv);
        return b.build();
    }
}
