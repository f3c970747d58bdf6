package dev.pagoda.engine.model.arch.archfixture;

import java.lang.foreign.MemorySegment;

/** Breaks the model-file rule on purpose (EngineLayersTest): a model file holding raw memory. */
public final class ModelFileOnSegments {
    MemorySegment hidden;
}
