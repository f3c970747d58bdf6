package dev.pagoda.webapi.cli.bench;

import dev.pagoda.engine.api.InferenceEngine;

/** Starts Pagoda's own engine from the benchmark flags. */
final class LocalEngineLauncher implements EngineLauncher {

    @Override
    public InferenceEngine start(EngineOptions options) {
        throw new UnsupportedOperationException("the local engine is not available in this build yet");
    }
}
