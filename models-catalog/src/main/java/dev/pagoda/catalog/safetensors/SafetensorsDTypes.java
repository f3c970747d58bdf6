package dev.pagoda.catalog.safetensors;

import dev.pagoda.catalog.tensor.DType;
import java.util.Map;
import java.util.Optional;

/** The dtype names the safetensors header uses, for the {@link DType}s Pagoda reads. */
final class SafetensorsDTypes {

    private static final Map<String, DType> BY_NAME = Map.of(
            "F32", DType.F32, "F16", DType.F16, "BF16", DType.BF16, "I8", DType.I8, "U8", DType.U8,
            "I32", DType.I32, "I64", DType.I64, "F64", DType.F64, "F8_E4M3", DType.F8_E4M3);

    private SafetensorsDTypes() {}

    static Optional<DType> fromName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** The header name of {@code dtype}; quantized GGML types have none. */
    static String nameOf(DType dtype) {
        if (!BY_NAME.containsValue(dtype)) {
            throw new IllegalArgumentException(dtype + " cannot be stored in safetensors");
        }
        return dtype.name();
    }

    static String supportedNames() {
        return "F32, F16, BF16, I8, U8, I32, I64, F64, F8_E4M3";
    }
}
