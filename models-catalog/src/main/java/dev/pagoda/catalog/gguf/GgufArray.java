package dev.pagoda.catalog.gguf;

import java.util.List;

/**
 * A typed GGUF array value for {@link GgufWriter}: the element type decides the encoding (the
 * reader's {@code List<Object>} has lost it). Elements follow the reader's mapping: integers as
 * {@link Number}, floats as {@link Number}, {@link Boolean}, {@link String}, and nested
 * {@code GgufArray} when {@code elementType} is {@link GgufValueType#ARRAY}.
 */
public record GgufArray(GgufValueType elementType, List<?> values) {
    public GgufArray {
        values = List.copyOf(values);
    }
}
