package dev.pagoda.catalog.gguf;

/**
 * Metadata value types of GGUF ({@code enum gguf_type} in gguf.h). The id is what the file stores.
 * {@link #fixedSize} is the encoded size of one value, or -1 for strings and arrays.
 */
public enum GgufValueType {
    UINT8(0, 1),
    INT8(1, 1),
    UINT16(2, 2),
    INT16(3, 2),
    UINT32(4, 4),
    INT32(5, 4),
    FLOAT32(6, 4),
    BOOL(7, 1),
    STRING(8, -1),
    ARRAY(9, -1),
    UINT64(10, 8),
    INT64(11, 8),
    FLOAT64(12, 8);

    public final int id;
    public final int fixedSize;

    GgufValueType(int id, int fixedSize) {
        this.id = id;
        this.fixedSize = fixedSize;
    }

    /** Smallest number of bytes one value of this type can take (a string: its 8-byte length). */
    int minEncodedSize() {
        return switch (this) {
            case STRING -> 8;
            case ARRAY -> 12; // element type + count
            default -> fixedSize;
        };
    }

    /** @return null when the id is not a GGUF value type */
    public static GgufValueType fromId(int id) {
        for (GgufValueType t : values()) {
            if (t.id == id) return t;
        }
        return null;
    }
}
