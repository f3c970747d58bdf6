package dev.pagoda.engine.structured.mask;

import dev.pagoda.catalog.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.List;

/**
 * The model's vocabulary as byte strings, for matching tokens against a grammar over bytes.
 * An id has no bytes ({@code null}) where structured output never allows it as text: special
 * tokens, tokens that decode to nothing, and logit rows past the tokenizer's vocabulary
 * (padding of the embedding matrix). End tokens (EOS) are allowed exactly where the grammar
 * may end, by the matcher, not by their bytes.
 */
public final class TokenVocabulary {

    private final int size;
    private final byte[][] bytes;   // (size) token bytes, or null: never allowed as text
    private final int[] endTokens;  // ids that end the output

    /**
     * @param size      logit rows (the model's vocab_size, at least the byte table's length)
     * @param bytes     per id its bytes, or null for an id that is never text
     * @param endTokens EOS ids
     */
    public TokenVocabulary(int size, byte[][] bytes, int[] endTokens) {
        if (bytes.length > size) throw new IllegalArgumentException(bytes.length + " token byte strings for " + size + " logit rows");
        this.size = size;
        this.bytes = Arrays.copyOf(bytes, size);
        for (int i = 0; i < this.bytes.length; i++) {
            if (this.bytes[i] != null && this.bytes[i].length == 0) this.bytes[i] = null;
        }
        this.endTokens = endTokens.clone();
        for (int id : this.endTokens) {
            if (id < 0 || id >= size) throw new IllegalArgumentException("end token " + id + " outside the vocabulary (size " + size + ")");
            this.bytes[id] = null;
        }
    }

    /** The vocabulary of {@code tokenizer} for a model with {@code size} logit rows; special tokens are never text. */
    public static TokenVocabulary of(Tokenizer tokenizer, int size, List<Integer> endTokens) {
        int n = Math.min(size, tokenizer.vocabSize());
        byte[][] bytes = new byte[n][];
        for (int id = 0; id < n; id++) {
            try {
                if (!tokenizer.isSpecial(id)) bytes[id] = tokenizer.tokenBytes(id);
            } catch (IllegalArgumentException unusedId) {
                // an id with no piece (a gap in the tokenizer's ids): never text
            }
        }
        return new TokenVocabulary(size, bytes, endTokens.stream().mapToInt(Integer::intValue).toArray());
    }

    public int size() {
        return size;
    }

    /** The id's bytes, or null where it is never text; do not modify. */
    public byte[] bytes(int id) {
        return bytes[id];
    }

    public int[] endTokens() {
        return endTokens.clone();
    }

    public boolean isEndToken(int id) {
        for (int e : endTokens) if (e == id) return true;
        return false;
    }

    /** Longs in a bitmask over the vocabulary. */
    public int maskWords() {
        return Math.ceilDiv(size, 64);
    }
}
