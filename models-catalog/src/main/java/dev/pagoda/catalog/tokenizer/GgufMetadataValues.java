package dev.pagoda.catalog.tokenizer;

import dev.pagoda.catalog.ModelFormatException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Typed reads of GGUF metadata in the GGUF reader's convention (integers Long, floats Double, bool
 * Boolean, strings String, arrays List), each failing with the file and key named.
 */
record GgufMetadataValues(Map<String, Object> metadata, Path source) {

    Optional<String> string(String key) {
        Object v = metadata.get(key);
        if (v == null) return Optional.empty();
        if (v instanceof String s) return Optional.of(s);
        throw wrongType(key, "a string", v);
    }

    String requiredString(String key) {
        return string(key).orElseThrow(() -> new ModelFormatException(source, "missing metadata " + key));
    }

    Optional<Boolean> bool(String key) {
        Object v = metadata.get(key);
        if (v == null) return Optional.empty();
        if (v instanceof Boolean b) return Optional.of(b);
        throw wrongType(key, "a bool", v);
    }

    /** A token id that must lie in {@code [0, vocabSize)}. */
    OptionalInt tokenId(String key, int vocabSize) {
        Object v = metadata.get(key);
        if (v == null) return OptionalInt.empty();
        if (!(v instanceof Long id)) throw wrongType(key, "an integer", v);
        if (id < 0 || id >= vocabSize) {
            throw new ModelFormatException(source, key + " = " + id + " is outside the vocabulary of " + vocabSize + " tokens");
        }
        return OptionalInt.of((int) (long) id);
    }

    List<?> list(String key) {
        Object v = metadata.get(key);
        if (v == null) throw new ModelFormatException(source, "missing metadata " + key);
        if (!(v instanceof List<?> l)) throw wrongType(key, "an array", v);
        return l;
    }

    String[] strings(String key) {
        List<?> l = list(key);
        String[] out = new String[l.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(l.get(i) instanceof String s)) throw wrongType(key + "[" + i + "]", "a string", l.get(i));
            out[i] = s;
        }
        return out;
    }

    /** A numeric array of exactly {@code size} elements. */
    double[] numbers(String key, int size) {
        List<?> l = list(key);
        if (l.size() != size) throw new ModelFormatException(source, key + " has " + l.size() + " entries but the vocabulary has " + size);
        double[] out = new double[size];
        for (int i = 0; i < size; i++) {
            if (!(l.get(i) instanceof Number x)) throw wrongType(key + "[" + i + "]", "a number", l.get(i));
            out[i] = x.doubleValue();
        }
        return out;
    }

    private ModelFormatException wrongType(String key, String expected, Object found) {
        return new ModelFormatException(source, "metadata " + key + " must be " + expected + ", found "
                + (found == null ? "null" : found.getClass().getSimpleName()));
    }
}
