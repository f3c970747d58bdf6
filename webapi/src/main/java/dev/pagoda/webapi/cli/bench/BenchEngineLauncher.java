package dev.pagoda.webapi.cli.bench;

import dev.pagoda.engine.api.InferenceEngine;

/**
 * Starts the engine a benchmark drives. The commands see only {@link InferenceEngine}, so the same
 * benchmark measures any engine; tests pass a fake one.
 */
@FunctionalInterface
public interface BenchEngineLauncher {

    /** @throws IllegalArgumentException naming the flag when the options cannot start an engine */
    InferenceEngine start(EngineOptions options);
}
