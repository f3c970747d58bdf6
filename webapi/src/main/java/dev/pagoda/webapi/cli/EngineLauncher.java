package dev.pagoda.webapi.cli;

import dev.pagoda.engine.api.InferenceEngine;
import dev.pagoda.engine.core.EngineConfig;
import dev.pagoda.engine.core.LocalEngine;
import dev.pagoda.engine.load.LoadFormat;

/**
 * Builds the engine {@code pagoda serve} serves. The server itself only knows {@link InferenceEngine};
 * this is the one place that picks an implementation, and tests pass their own.
 */
@FunctionalInterface
public interface EngineLauncher {

    /** @throws IllegalArgumentException naming the flag at fault */
    InferenceEngine start(EngineFlags flags);

    /**
     * The in-process {@link LocalEngine}; flags left out keep {@link EngineConfig}'s (vLLM's) defaults,
     * and no {@code --model} serves the embedded default model.
     */
    static EngineLauncher local() {
        return flags -> LocalEngine.start(config(flags));
    }

    static EngineConfig config(EngineFlags flags) {
        EngineConfig.Builder b = EngineConfig.builder(flags.model())
                .servedModelName(flags.servedModelName())
                .loadFormat(LoadFormat.parse(flags.loadFormat()))
                .maxModelLen(flags.maxModelLen())
                .maxNumBatchedTokens(flags.maxNumBatchedTokens())
                .enablePrefixCaching(flags.enablePrefixCaching())
                .device(flags.device())
                .asyncScheduling(flags.asyncScheduling());
        if (flags.blockSize() != null) b.blockSize(flags.blockSize());
        if (flags.maxNumSeqs() != null) b.maxNumSeqs(flags.maxNumSeqs());
        if (flags.gpuMemoryUtilization() != null) b.gpuMemoryUtilization(flags.gpuMemoryUtilization());
        if (flags.kvCacheMemoryBytes() != null) b.kvCacheMemoryBytes(flags.kvCacheMemoryBytes());
        return b.build();
    }
}
