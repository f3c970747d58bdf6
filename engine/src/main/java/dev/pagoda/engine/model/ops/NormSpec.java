package dev.pagoda.engine.model.ops;

/**
 * How a normalisation layer computes, as the architecture defines it.
 *
 * @param kind         RMSNorm or LayerNorm (mean subtracted)
 * @param eps          added to the variance
 * @param weightOffset added to every weight before it multiplies: 1 for Gemma's {@code x·(1 + w)}, else 0
 */
public record NormSpec(Kind kind, double eps, float weightOffset) {

    public enum Kind { RMS, LAYER }

    public NormSpec {
        if (kind == null) throw new IllegalArgumentException("a norm needs a kind");
        if (!(eps > 0) || Double.isInfinite(eps)) throw new IllegalArgumentException("norm eps must be positive, got " + eps);
    }

    /** Llama's RMSNorm: {@code x / sqrt(mean(x²) + eps) · w}. */
    public static NormSpec rms(double eps) {
        return new NormSpec(Kind.RMS, eps, 0f);
    }

    /** Gemma's RMSNorm: {@code x / sqrt(mean(x²) + eps) · (1 + w)}. */
    public static NormSpec rmsPlusOne(double eps) {
        return new NormSpec(Kind.RMS, eps, 1f);
    }

    /** LayerNorm: {@code (x − mean) / sqrt(var + eps) · w (+ b)}. */
    public static NormSpec layer(double eps) {
        return new NormSpec(Kind.LAYER, eps, 0f);
    }
}
