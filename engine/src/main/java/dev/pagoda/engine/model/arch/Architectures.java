package dev.pagoda.engine.model.arch;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.engine.model.ops.ModelDefinition;
import dev.pagoda.engine.model.ops.ModelOps;

/**
 * The model file of each architecture the catalog recognises. Adding an architecture is one
 * file beside this one (and its test); the switch is exhaustive, so a new {@code Architecture}
 * constant does not compile until it has a file.
 */
public final class Architectures {

    private Architectures() {}

    /** A {@link ModelDefinition.Factory}: the definition of {@code spec}'s architecture, declared over {@code ops}. */
    public static ModelDefinition create(ModelSpec spec, ModelOps ops) {
        return switch (spec.architecture()) {
            case LLAMA, MISTRAL, QWEN2, QWEN3 -> new LlamaFamily(spec, ops);
        };
    }
}
