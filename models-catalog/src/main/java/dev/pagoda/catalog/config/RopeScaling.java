package dev.pagoda.catalog.config;

/**
 * HF {@code rope_scaling}. Only the fields of the chosen {@link Type} are meaningful; the others
 * hold the defaults transformers uses for that type (see {@code modeling_rope_utils.py}).
 *
 * @param type                          which scaling rule
 * @param factor                        context extension factor
 * @param originalMaxPositionEmbeddings context length the model was trained with (llama3, yarn, dynamic)
 * @param lowFreqFactor                 llama3: wavelengths above original/low are divided by factor
 * @param highFreqFactor                llama3: wavelengths below original/high are kept
 * @param betaFast                      yarn: ramp boundary (rotations), default 32
 * @param betaSlow                      yarn: ramp boundary (rotations), default 1
 * @param attentionFactor               yarn: multiplier on cos/sin; NaN means "derive from factor"
 */
public record RopeScaling(
        Type type,
        double factor,
        int originalMaxPositionEmbeddings,
        double lowFreqFactor,
        double highFreqFactor,
        double betaFast,
        double betaSlow,
        double attentionFactor) {

    public enum Type {
        /** Llama 3.1+: smooth per-frequency interpolation. */
        LLAMA3,
        /** Position interpolation: positions divided by factor. */
        LINEAR,
        /** NTK-aware: base grows once the sequence exceeds the original context. */
        DYNAMIC,
        /** YaRN: per-frequency ramp between interpolation and extrapolation plus an attention factor. */
        YARN
    }
}
