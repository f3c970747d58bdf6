package dev.pagoda.engine.model.ops;

/** A declared (vocab, hidden) token embedding table. */
public interface EmbeddingWeight {

    int vocabSize();

    int hiddenSize();
}
