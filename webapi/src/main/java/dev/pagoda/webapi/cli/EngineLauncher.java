package dev.pagoda.webapi.cli;

import dev.pagoda.engine.api.InferenceEngine;

/**
 * Builds the engine {@code pagoda serve} serves. The server itself only knows {@link InferenceEngine};
 * this is the one place that picks an implementation, and tests pass their own.
 */
@FunctionalInterface
public interface EngineLauncher {

    /** @throws IllegalArgumentException naming the flag at fault */
    InferenceEngine start(EngineFlags flags);

    /** The engine of the {@code engine} module. Until its LocalEngine is merged there is none to start. */
    static EngineLauncher local() {
        return flags -> {
            throw new UnsupportedOperationException("no local engine in this build yet: LocalEngine lands with the "
                    + "engine core; `pagoda serve` can only serve an engine passed in by the embedding program");
        };
    }
}
