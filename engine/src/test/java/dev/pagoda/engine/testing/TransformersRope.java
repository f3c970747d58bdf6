package dev.pagoda.engine.testing;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.config.RopeScaling;

/**
 * A transcription of transformers' {@code modeling_rope_utils} (default, linear, dynamic,
 * llama3, yarn) and {@code apply_rotary_pos_emb}, written step by step after the Python so the
 * engine's version can be checked against it. Returns {inv_freq..., attention_factor}.
 */
public final class TransformersRope {

    private TransformersRope() {}

    /** @return inverse frequencies (dim/2 values) followed by the attention factor */
    public static double[] parameters(ModelSpec config, int seqLen) {
        RopeScaling rs = config.ropeScaling();
        if (rs == null) return withFactor(computeDefault(config.ropeTheta(), config.headDim()), 1.0);
        return switch (rs.type()) {
            case LINEAR -> {
                double[] inv = computeDefault(config.ropeTheta(), config.headDim());
                for (int i = 0; i < inv.length; i++) inv[i] = inv[i] / rs.factor();
                yield withFactor(inv, 1.0);
            }
            case DYNAMIC -> withFactor(dynamic(config, seqLen), 1.0);
            case LLAMA3 -> withFactor(llama3(config), 1.0);
            case YARN -> yarn(config);
        };
    }

    // inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2) / dim))
    static double[] computeDefault(double base, int dim) {
        double[] inv = new double[dim / 2];
        int k = 0;
        for (int a = 0; a < dim; a += 2) inv[k++] = 1.0 / Math.pow(base, (double) a / dim);
        return inv;
    }

    static double[] dynamic(ModelSpec config, int seqLen) {
        double base = config.ropeTheta();
        int dim = config.headDim();
        int maxPositionEmbeddings = config.maxPositionEmbeddings();
        double factor = config.ropeScaling().factor();
        int len = Math.max(seqLen, maxPositionEmbeddings);
        base = base * Math.pow((factor * len / maxPositionEmbeddings) - (factor - 1), (double) dim / (dim - 2));
        return computeDefault(base, dim);
    }

    static double[] llama3(ModelSpec config) {
        RopeScaling rs = config.ropeScaling();
        double[] invFreq = computeDefault(config.ropeTheta(), config.headDim());
        double factor = rs.factor();
        double lowFreqFactor = rs.lowFreqFactor();
        double highFreqFactor = rs.highFreqFactor();
        double oldContextLen = rs.originalMaxPositionEmbeddings();
        double lowFreqWavelen = oldContextLen / lowFreqFactor;
        double highFreqWavelen = oldContextLen / highFreqFactor;
        double[] out = new double[invFreq.length];
        for (int i = 0; i < invFreq.length; i++) {
            double wavelen = 2 * Math.PI / invFreq[i];
            double invFreqLlama = wavelen > lowFreqWavelen ? invFreq[i] / factor : invFreq[i];
            double smoothFactor = (oldContextLen / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
            double smoothed = (1 - smoothFactor) * invFreqLlama / factor + smoothFactor * invFreqLlama;
            boolean isMediumFreq = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
            out[i] = isMediumFreq ? smoothed : invFreqLlama;
        }
        return out;
    }

    static double[] yarn(ModelSpec config) {
        RopeScaling rs = config.ropeScaling();
        double base = config.ropeTheta();
        int dim = config.headDim();
        double factor = rs.factor();
        Double attentionFactor = Double.isNaN(rs.attentionFactor()) ? null : rs.attentionFactor();
        double originalMaxPositionEmbeddings;
        if (rs.originalMaxPositionEmbeddings() > 0) { // "original_max_position_embeddings" in rope_scaling
            originalMaxPositionEmbeddings = rs.originalMaxPositionEmbeddings();
            factor = config.maxPositionEmbeddings() / originalMaxPositionEmbeddings;
        } else {
            originalMaxPositionEmbeddings = config.maxPositionEmbeddings();
        }
        if (attentionFactor == null) attentionFactor = getMscale(factor);
        double betaFast = rs.betaFast() != 0 ? rs.betaFast() : 32;
        double betaSlow = rs.betaSlow() != 0 ? rs.betaSlow() : 1;
        double low = Math.floor(findCorrectionDim(betaFast, dim, base, originalMaxPositionEmbeddings));
        double high = Math.ceil(findCorrectionDim(betaSlow, dim, base, originalMaxPositionEmbeddings));
        low = Math.max(low, 0);
        high = Math.min(high, dim - 1);
        if (low == high) high += 0.001;
        double[] inv = new double[dim / 2];
        for (int i = 0; i < dim / 2; i++) {
            double posFreq = Math.pow(base, (2.0 * i) / dim);
            double invFreqExtrapolation = 1.0 / posFreq;
            double invFreqInterpolation = 1.0 / (factor * posFreq);
            double linear = (i - low) / (high - low);
            double ramp = Math.min(1, Math.max(0, linear));
            double invFreqExtrapolationFactor = 1 - ramp;
            inv[i] = invFreqInterpolation * (1 - invFreqExtrapolationFactor)
                    + invFreqExtrapolation * invFreqExtrapolationFactor;
        }
        return withFactor(inv, attentionFactor);
    }

    static double getMscale(double scale) {
        if (scale <= 1) return 1.0;
        return 0.1 * Math.log(scale) + 1.0;
    }

    static double findCorrectionDim(double numRotations, int dim, double base, double maxPositionEmbeddings) {
        return (dim * Math.log(maxPositionEmbeddings / (numRotations * 2 * Math.PI))) / (2 * Math.log(base));
    }

    private static double[] withFactor(double[] inv, double factor) {
        double[] out = java.util.Arrays.copyOf(inv, inv.length + 1);
        out[inv.length] = factor;
        return out;
    }

    /**
     * apply_rotary_pos_emb for one head vector: emb = cat(freqs, freqs); cos = emb.cos() * af;
     * x * cos + rotate_half(x) * sin with rotate_half(x) = cat(-x2, x1).
     */
    public static double[] rotate(double[] x, double[] parameters, int position) {
        int dim = x.length;
        int half = dim / 2;
        double af = parameters[half];
        double[] out = new double[dim];
        for (int j = 0; j < dim; j++) {
            double angle = position * parameters[j % half];
            double cos = Math.cos(angle) * af;
            double sin = Math.sin(angle) * af;
            double rotated = j < half ? -x[j + half] : x[j - half];
            out[j] = x[j] * cos + rotated * sin;
        }
        return out;
    }
}
