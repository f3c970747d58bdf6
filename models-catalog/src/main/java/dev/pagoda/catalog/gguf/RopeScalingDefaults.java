package dev.pagoda.catalog.gguf;

import dev.pagoda.catalog.config.RopeScaling;

/**
 * A {@link RopeScaling} whose unused fields hold transformers' defaults
 * ({@code modeling_rope_utils.py}): llama3 low/high 1 and 4, yarn beta_fast 32 and beta_slow 1,
 * yarn attention factor derived from the factor (NaN here).
 */
final class RopeScalingDefaults {
    private RopeScalingDefaults() {}

    static RopeScaling of(RopeScaling.Type type, double factor, int originalMaxPositionEmbeddings) {
        return new RopeScaling(type, factor, originalMaxPositionEmbeddings, 1.0, 4.0, 32.0, 1.0, Double.NaN);
    }
}
