package dev.pagoda.webapi.cli;

import dev.pagoda.engine.api.InferenceEngine;
import dev.pagoda.engine.core.EngineConfig;
import dev.pagoda.engine.core.LocalEngine;

/**
 * Starts the engine {@code pagoda serve} serves and {@code pagoda bench} measures. The server and
 * the benchmarks only know {@link InferenceEngine}; this is the one place that picks an
 * implementation, and tests pass their own.
 */
@FunctionalInterface
public interface EngineLauncher {

    /** @throws IllegalArgumentException naming the flag at fault */
    InferenceEngine start(EngineConfig config);

    /** The in-process {@link LocalEngine}; no model in the config serves the embedded default model. */
    static EngineLauncher local() {
        return LocalEngine::start;
    }
}
