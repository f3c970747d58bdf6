package dev.pagoda.catalog.gguf;

import java.util.List;

/**
 * Chooses the GGUF value type for a metadata value given in the reader's untyped form
 * ({@code Long}, {@code Double}, {@code Boolean}, {@code String}, {@code List}). llama.cpp checks
 * types strictly when it reads a key, so the choice follows what it expects: token ids and counts
 * are uint32, {@code tokenizer.ggml.token_type} int32, scores and other floats float32.
 */
final class MetadataTypes {

    private MetadataTypes() {}

    record Typed(GgufValueType type, Object value) {}

    static Typed infer(String key, Object value) {
        if (value instanceof List<?> list) {
            GgufValueType element = elementType(key, list);
            return new Typed(GgufValueType.ARRAY, new GgufArray(element, element == GgufValueType.ARRAY
                    ? list.stream().map(v -> infer(key, v).value()).toList()
                    : list));
        }
        return new Typed(scalarType(key, value), value);
    }

    private static GgufValueType elementType(String key, List<?> list) {
        if (list.isEmpty() || key.endsWith(".token_type")) return GgufValueType.INT32;
        Object first = list.getFirst();
        if (first instanceof List<?>) return GgufValueType.ARRAY;
        if (first instanceof Long || first instanceof Integer) {
            boolean fitsInt32 = list.stream().allMatch(v -> ((Number) v).longValue() == ((Number) v).intValue());
            return fitsInt32 ? GgufValueType.INT32 : GgufValueType.INT64;
        }
        return scalarType(key, first);
    }

    private static GgufValueType scalarType(String key, Object value) {
        return switch (value) {
            case String s -> GgufValueType.STRING;
            case Boolean b -> GgufValueType.BOOL;
            case Double d -> GgufValueType.FLOAT32;
            case Float f -> GgufValueType.FLOAT32;
            case Long l when l >= 0 && l <= 0xFFFF_FFFFL -> GgufValueType.UINT32;
            case Integer i when i >= 0 -> GgufValueType.UINT32;
            case Long l -> GgufValueType.INT64;
            case Integer i -> GgufValueType.INT32;
            default -> throw new IllegalArgumentException("metadata '" + key + "': cannot store a "
                    + value.getClass().getSimpleName() + " in GGUF");
        };
    }
}
