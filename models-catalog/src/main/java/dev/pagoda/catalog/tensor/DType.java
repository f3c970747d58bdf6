package dev.pagoda.catalog.tensor;

/**
 * Element types of stored tensors: the safetensors dtypes and the GGML types Pagoda reads.
 * Quantized types store elements in blocks; a row's length must be a multiple of
 * {@link #blockElements}. The byte layouts of the GGML block types follow ggml-common.h.
 */
public enum DType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    BF16(30, 1, 2),
    I8(24, 1, 1),
    I16(25, 1, 2),
    U8(-1, 1, 1),
    I32(26, 1, 4),
    I64(27, 1, 8),
    F64(28, 1, 8),
    F8_E4M3(-1, 1, 1),
    /** ggml block_q4_0: f16 scale d, 16 bytes of 4-bit quants (low nibbles = elements 0..15). */
    Q4_0(2, 32, 18),
    /** ggml block_q8_0: f16 scale d, 32 int8 quants. */
    Q8_0(8, 32, 34),
    /** ggml block_q4_K: f16 d, f16 dmin, 12 bytes of 6-bit scales/mins, 128 bytes of quants. */
    Q4_K(12, 256, 144),
    /** ggml block_q5_K: f16 d, f16 dmin, 12 bytes scales, 32 bytes high bits, 128 bytes low nibbles. */
    Q5_K(13, 256, 176),
    /** ggml block_q6_K: 128 bytes low nibbles, 64 bytes high 2 bits, 16 int8 scales, f16 d. */
    Q6_K(14, 256, 210);

    /** The GGML type id ({@code enum ggml_type}); -1 where GGUF has none. */
    public final int ggmlId;
    /** Elements per block (1 for plain types). */
    public final int blockElements;
    /** Bytes per block. */
    public final int blockBytes;

    DType(int ggmlId, int blockElements, int blockBytes) {
        this.ggmlId = ggmlId;
        this.blockElements = blockElements;
        this.blockBytes = blockBytes;
    }

    public boolean quantized() {
        return blockElements > 1;
    }

    /** Bytes taken by {@code elements} elements; {@code elements} must be a whole number of blocks. */
    public long bytesFor(long elements) {
        if (elements % blockElements != 0) {
            throw new IllegalArgumentException(
                    name() + " needs a multiple of " + blockElements + " elements, got " + elements);
        }
        return elements / blockElements * blockBytes;
    }

    public static DType fromGgmlId(int id) {
        for (DType t : values()) {
            if (t.ggmlId == id) return t;
        }
        throw new IllegalArgumentException("unsupported GGML tensor type " + id);
    }
}
