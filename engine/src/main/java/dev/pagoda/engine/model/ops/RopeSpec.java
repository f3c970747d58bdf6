package dev.pagoda.engine.model.ops;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.config.RopeScaling;
import java.util.Arrays;
import java.util.Objects;

/**
 * A rotary position embedding as an architecture applies it to q and k: over the first
 * {@code rotaryDim} dimensions of each head (all of them unless partial rotary), pairing them
 * by {@code style}, with frequencies from {@code theta}, the scaling rule and, for GGUF
 * Llama-3 files, per-frequency divisors. {@link RopeFrequencies#of(RopeSpec, int)} computes them.
 *
 * @param headDim               size of the heads it rotates
 * @param rotaryDim             leading dimensions rotated, even, at most headDim
 * @param style                 how dimensions pair
 * @param theta                 the base
 * @param scaling               null for none
 * @param maxPositionEmbeddings the model's trained context (dynamic and YaRN scaling read it)
 * @param fileFactors           (rotaryDim / 2) divisors of the inverse frequencies (llama.cpp's
 *                              {@code rope_freqs}), or null
 */
public record RopeSpec(int headDim, int rotaryDim, RopeStyle style, double theta, RopeScaling scaling,
                       int maxPositionEmbeddings, float[] fileFactors) {

    public RopeSpec {
        if (rotaryDim < 2 || rotaryDim % 2 != 0) {
            throw new IllegalArgumentException("RoPE needs an even head_dim >= 2, got " + rotaryDim
                    + (rotaryDim == headDim ? "" : " rotated dimensions of " + headDim));
        }
        if (rotaryDim > headDim) throw new IllegalArgumentException("RoPE rotates " + rotaryDim + " of a head's " + headDim + " dimensions");
        Objects.requireNonNull(style, "RoPE style");
        if (fileFactors != null) {
            if (fileFactors.length != rotaryDim / 2) {
                throw new IllegalArgumentException("RoPE frequency factors: " + fileFactors.length + " values for "
                        + rotaryDim / 2 + " frequencies (head_dim / 2)");
            }
            fileFactors = fileFactors.clone();
        }
    }

    /** The Llama family's RoPE: whole heads, rotate-half, the config's theta and scaling, no file factors. */
    public static RopeSpec of(ModelSpec spec) {
        return of(spec, null);
    }

    /** As {@link #of(ModelSpec)} with a GGUF file's {@code rope_freqs} divisors (null for none). */
    public static RopeSpec of(ModelSpec spec, float[] fileFactors) {
        return new RopeSpec(spec.headDim(), spec.headDim(), RopeStyle.ROTATE_HALF, spec.ropeTheta(), spec.ropeScaling(),
                spec.maxPositionEmbeddings(), fileFactors);
    }

    @Override
    public float[] fileFactors() {
        return fileFactors == null ? null : fileFactors.clone();
    }

    /** Whether each position needs its own frequencies (dynamic NTK scaling past the trained context). */
    public boolean dynamic() {
        return scaling != null && scaling.type() == RopeScaling.Type.DYNAMIC;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RopeSpec r && headDim == r.headDim && rotaryDim == r.rotaryDim && style == r.style
                && Double.compare(theta, r.theta) == 0 && Objects.equals(scaling, r.scaling)
                && maxPositionEmbeddings == r.maxPositionEmbeddings && Arrays.equals(fileFactors, r.fileFactors);
    }

    @Override
    public int hashCode() {
        return Objects.hash(headDim, rotaryDim, style, theta, scaling, maxPositionEmbeddings, Arrays.hashCode(fileFactors));
    }

    @Override
    public String toString() {
        return "RopeSpec[headDim=" + headDim + ", rotaryDim=" + rotaryDim + ", style=" + style + ", theta=" + theta
                + ", scaling=" + scaling + ", maxPositionEmbeddings=" + maxPositionEmbeddings
                + (fileFactors == null ? "" : ", fileFactors=" + fileFactors.length) + "]";
    }
}
