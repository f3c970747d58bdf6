package dev.pagoda.engine.cpu;

import java.lang.foreign.MemorySegment;

/**
 * A linear layer without bias over a stored weight {@code W (outFeatures, inFeatures)} of any
 * {@link dev.pagoda.catalog.tensor.DType}: {@code out[t, o] = Σ_i in[t, i] · W[o, i]}.
 * Implementations read each weight row once per call whatever the token count, so a batch of
 * tokens costs little more memory traffic than one token (decode is bandwidth-bound), and they
 * allocate nothing per call.
 */
public interface Linear {

    int inFeatures();

    int outFeatures();

    /**
     * @param in     (tokens, inFeatures) f32, row-major
     * @param out    (tokens, outFeatures) f32, row-major; overwritten
     * @param tokens rows of {@code in} to multiply, at least 1
     */
    void forward(MemorySegment in, MemorySegment out, int tokens);
}
