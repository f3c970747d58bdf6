package dev.pagoda.engine.model.ops;

/** A declared normalisation layer: its {@link NormSpec} and its weight (and bias) over {@code dim} columns. */
public interface Norm {

    NormSpec spec();

    int dim();

    boolean hasBias();
}
