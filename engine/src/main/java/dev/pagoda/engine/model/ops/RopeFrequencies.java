package dev.pagoda.engine.model.ops;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.config.RopeScaling;
import dev.pagoda.catalog.quant.Dequantize;
import dev.pagoda.catalog.tensor.WeightSource;

/**
 * RoPE inverse frequencies and the cos/sin multiplier ("attention factor"), computed the way
 * transformers' {@code modeling_rope_utils} does for each {@code rope_type}, in double precision,
 * over the rotated dimensions of a head ({@link RopeSpec#rotaryDim()}: all of it unless the
 * model rotates only a part).
 *
 * @param inverse         (rotaryDim / 2) inverse frequencies θ_i
 * @param attentionFactor multiplies cos and sin (YaRN's mscale; 1 elsewhere)
 */
public record RopeFrequencies(double[] inverse, double attentionFactor) {

    public RopeFrequencies {
        inverse = inverse.clone();
    }

    @Override
    public double[] inverse() {
        return inverse.clone();
    }

    public double inverse(int i) {
        return inverse[i];
    }

    /** Frequencies in use: rotaryDim / 2. */
    public int count() {
        return inverse.length;
    }

    /** llama.cpp's name for Llama-3 RoPE scaling factors; GgufWeightSource keeps it unrenamed. */
    public static final String FILE_FACTORS = "rope_freqs.weight";

    /**
     * A GGUF Llama-3 file's {@value #FILE_FACTORS}: (headDim / 2) divisors of the inverse
     * frequencies, for {@link #dividedBy}; null when the weights carry none.
     */
    public static float[] fileFactors(WeightSource weights) {
        if (!weights.has(FILE_FACTORS)) return null;
        return Dequantize.toFloats(weights.checkedTensor(FILE_FACTORS, weights.spec().headDim() / 2));
    }

    /**
     * These frequencies with each θ_i divided by {@code factors[i]} (llama.cpp's
     * {@code rope_freqs} tensor); {@code null} returns this unchanged.
     */
    public RopeFrequencies dividedBy(float[] factors) {
        if (factors == null) return this;
        if (factors.length != inverse.length) {
            throw new IllegalArgumentException("RoPE frequency factors: " + factors.length + " values for "
                    + inverse.length + " frequencies (head_dim / 2)");
        }
        double[] divided = new double[inverse.length];
        for (int i = 0; i < divided.length; i++) {
            if (!(factors[i] > 0) || Float.isInfinite(factors[i])) {
                throw new IllegalArgumentException("RoPE frequency factor " + i + " must be positive and finite, got " + factors[i]);
            }
            divided[i] = inverse[i] / factors[i];
        }
        return new RopeFrequencies(divided, attentionFactor);
    }

    /**
     * Frequencies for a sequence that has reached {@code seqLen} tokens. Only the dynamic (NTK)
     * rule depends on it; the others ignore it.
     */
    public static RopeFrequencies of(ModelSpec spec, int seqLen) {
        return of(RopeSpec.of(spec), seqLen);
    }

    /** As {@link #of(ModelSpec, int)} for any RoPE the model describes, file factors applied. */
    public static RopeFrequencies of(RopeSpec rope, int seqLen) {
        int dim = rope.rotaryDim();
        RopeScaling scaling = rope.scaling();
        double base = rope.theta();
        RopeFrequencies plain = scaling == null ? new RopeFrequencies(defaultInverse(base, dim), 1.0) : switch (scaling.type()) {
            case LINEAR -> new RopeFrequencies(linear(base, dim, scaling.factor()), 1.0);
            case DYNAMIC -> new RopeFrequencies(dynamic(rope, seqLen), 1.0);
            case LLAMA3 -> new RopeFrequencies(llama3(base, dim, scaling), 1.0);
            case YARN -> yarn(rope, scaling);
        };
        return plain.dividedBy(rope.fileFactors());
    }

    /** θ_i = base^(-2i/dim). */
    static double[] defaultInverse(double base, int dim) {
        double[] inv = new double[dim / 2];
        for (int i = 0; i < inv.length; i++) inv[i] = 1.0 / Math.pow(base, (2.0 * i) / dim);
        return inv;
    }

    /** Position interpolation: every frequency divided by the factor. */
    private static double[] linear(double base, int dim, double factor) {
        double[] inv = defaultInverse(base, dim);
        for (int i = 0; i < inv.length; i++) inv[i] /= factor;
        return inv;
    }

    /**
     * NTK-aware: once the sequence outgrows {@code max_position_embeddings} the base grows,
     * {@code base · (factor·len/max − (factor − 1))^(dim/(dim−2))}; shorter sequences keep the
     * default frequencies (transformers clamps {@code seq_len} to at least max_position_embeddings).
     */
    private static double[] dynamic(RopeSpec rope, int seqLen) {
        int dim = rope.rotaryDim();
        double factor = rope.scaling().factor();
        double maxPos = rope.maxPositionEmbeddings();
        double len = Math.max(seqLen, maxPos);
        double base = rope.theta() * Math.pow(factor * len / maxPos - (factor - 1), dim / (dim - 2.0));
        return defaultInverse(base, dim);
    }

    /**
     * Llama 3.1: long wavelengths (beyond original/lowFreqFactor) are divided by the factor,
     * short ones (below original/highFreqFactor) kept, the band between interpolated smoothly.
     */
    private static double[] llama3(double base, int dim, RopeScaling s) {
        double[] inv = defaultInverse(base, dim);
        double oldContext = s.originalMaxPositionEmbeddings();
        double lowFreqWavelen = oldContext / s.lowFreqFactor();
        double highFreqWavelen = oldContext / s.highFreqFactor();
        for (int i = 0; i < inv.length; i++) {
            double wavelen = 2 * Math.PI / inv[i];
            if (wavelen > lowFreqWavelen) {
                inv[i] = inv[i] / s.factor();
            } else if (wavelen >= highFreqWavelen) {
                double smooth = (oldContext / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
                inv[i] = (1 - smooth) * inv[i] / s.factor() + smooth * inv[i];
            }
        }
        return inv;
    }

    /**
     * YaRN: a linear ramp over the dimensions between the correction range of beta_fast and
     * beta_slow blends interpolated (÷factor) and original frequencies; cos/sin are multiplied by
     * {@code 0.1·ln(factor) + 1} unless the config gives attention_factor. As in transformers,
     * when the config names original_max_position_embeddings the factor used is
     * {@code max_position_embeddings / original_max_position_embeddings}.
     */
    private static RopeFrequencies yarn(RopeSpec rope, RopeScaling s) {
        int dim = rope.rotaryDim();
        double base = rope.theta();
        double factor = s.factor();
        double originalMax = rope.maxPositionEmbeddings();
        if (s.originalMaxPositionEmbeddings() > 0) {
            originalMax = s.originalMaxPositionEmbeddings();
            factor = rope.maxPositionEmbeddings() / originalMax;
        }
        double attentionFactor = Double.isNaN(s.attentionFactor())
                ? (factor <= 1 ? 1.0 : 0.1 * Math.log(factor) + 1.0)
                : s.attentionFactor();
        double betaFast = s.betaFast() > 0 ? s.betaFast() : 32;
        double betaSlow = s.betaSlow() > 0 ? s.betaSlow() : 1;
        double low = Math.max(Math.floor(correctionDim(betaFast, dim, base, originalMax)), 0);
        double high = Math.min(Math.ceil(correctionDim(betaSlow, dim, base, originalMax)), dim - 1);
        if (low == high) high += 0.001; // transformers' guard against a zero-width ramp
        double[] inv = new double[dim / 2];
        for (int i = 0; i < inv.length; i++) {
            double extrapolation = 1.0 / Math.pow(base, (2.0 * i) / dim);
            double interpolation = extrapolation / factor;
            double ramp = Math.clamp((i - low) / (high - low), 0.0, 1.0);
            double extrapolationWeight = 1 - ramp;
            inv[i] = interpolation * (1 - extrapolationWeight) + extrapolation * extrapolationWeight;
        }
        return new RopeFrequencies(inv, attentionFactor);
    }

    /** The dimension whose wavelength makes {@code rotations} turns over {@code maxPositions}. */
    private static double correctionDim(double rotations, int dim, double base, double maxPositions) {
        return dim * Math.log(maxPositions / (rotations * 2 * Math.PI)) / (2 * Math.log(base));
    }
}
