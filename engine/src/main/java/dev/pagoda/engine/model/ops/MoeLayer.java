package dev.pagoda.engine.model.ops;

/** A declared mixture-of-experts MLP: its router and its experts' fused gate-up and down projections. */
public interface MoeLayer {

    MoeSpec spec();

    int hiddenSize();

    int intermediateSize();
}
