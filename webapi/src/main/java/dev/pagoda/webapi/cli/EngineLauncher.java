package dev.pagoda.webapi.cli;

import dev.pagoda.engine.api.InferenceEngine;
import dev.pagoda.engine.core.EngineConfig;
import dev.pagoda.engine.core.LocalEngine;
import dev.pagoda.engine.load.LoadFormat;
import dev.pagoda.engine.sched.SchedulingPolicy;
import java.util.Locale;

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

    private static SchedulingPolicy schedulingPolicy(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "fcfs" -> SchedulingPolicy.FCFS;
            case "priority" -> SchedulingPolicy.PRIORITY;
            default -> throw new IllegalArgumentException("--scheduling-policy must be fcfs or priority, got '" + name + "'");
        };
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
        if (flags.schedulingPolicy() != null) b.schedulingPolicy(schedulingPolicy(flags.schedulingPolicy()));
        if (flags.maxLogprobs() != null) b.maxLogprobs(flags.maxLogprobs());
        return b.build();
    }
}
