package dev.pagoda.catalog.tokenizer;

import java.util.Map;
import java.util.OptionalInt;

/**
 * A GGUF vocabulary: {@code tokenizer.ggml.tokens}, {@code .token_type} and {@code .scores} by id.
 *
 * @param scores SentencePiece merge priority by id (higher merges first); zeros where the file has none
 * @param ids id of each piece; where a piece repeats, its first id
 */
record GgufVocab(String[] pieces, GgufTokenType[] types, float[] scores, Map<String, Integer> ids) {

    int size() {
        return pieces.length;
    }

    OptionalInt id(String piece) {
        Integer id = ids.get(piece);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }
}
