package dev.pagoda.engine.model.ops;

import dev.pagoda.catalog.config.ModelSpec;

/**
 * One architecture, written once over {@link ModelOps}: its constructor declares weights,
 * buffers and attention layers; {@link #forward} describes one step. A backend calls
 * {@code forward} once, recording the graph into a plan it replays every step, so forward must
 * describe the same operations whatever the step holds (it never sees token ids, positions or
 * counts: those are the backend's, per step).
 */
public interface ModelDefinition {

    /** Describes one step: the embedding of the step's tokens through the logits of its sampled rows. */
    void forward(ModelOps ops);

    /** Builds the definition for a model spec over a backend's ops (what {@code model.arch.Architectures} does). */
    @FunctionalInterface
    interface Factory {
        ModelDefinition create(ModelSpec spec, ModelOps ops);
    }
}
