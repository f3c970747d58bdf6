package dev.pagoda.engine.model.arch.archfixture;

import dev.pagoda.engine.cpu.RmsNorm;

/** Breaks the model-file rule on purpose (EngineLayersTest): a model file calling a CPU kernel. */
public final class ModelFileOnKernels {
    RmsNorm norm;
}
