package dev.pagoda.engine.model.ops;

/** Which rows a {@link Tensor} has in a step. */
public enum Rows {
    /** One row per scheduled token of the flattened batch (T). */
    TOKENS,
    /** One row per sampled token row of the batch, in logit-row order (R). */
    SAMPLED
}
