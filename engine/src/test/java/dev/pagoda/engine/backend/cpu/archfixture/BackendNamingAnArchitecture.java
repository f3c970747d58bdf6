package dev.pagoda.engine.backend.cpu.archfixture;

import dev.pagoda.engine.model.arch.LlamaFamily;

/** Breaks the backend rule on purpose (EngineLayersTest): a backend class naming an architecture. */
public final class BackendNamingAnArchitecture {
    LlamaFamily model;
}
