package dev.pagoda.catalog.gguf;

import dev.pagoda.catalog.tensor.DType;
import java.util.Optional;

/**
 * Every tensor type a GGUF file may declare ({@code enum ggml_type}, ggml.h), with its block
 * geometry from ggml-common.h. Knowing the sizes of types Pagoda cannot compute with still lets
 * the reader validate the whole file layout; such tensors fail only when someone asks for them.
 */
public record GgmlType(int id, String name, int blockElements, int blockBytes) {

    private static final GgmlType[] BY_ID = new GgmlType[40];

    static {
        Object[][] table = {
            {0, "F32", 1, 4}, {1, "F16", 1, 2}, {2, "Q4_0", 32, 18}, {3, "Q4_1", 32, 20},
            {6, "Q5_0", 32, 22}, {7, "Q5_1", 32, 24}, {8, "Q8_0", 32, 34}, {9, "Q8_1", 32, 36},
            {10, "Q2_K", 256, 84}, {11, "Q3_K", 256, 110}, {12, "Q4_K", 256, 144},
            {13, "Q5_K", 256, 176}, {14, "Q6_K", 256, 210}, {15, "Q8_K", 256, 292},
            {16, "IQ2_XXS", 256, 66}, {17, "IQ2_XS", 256, 74}, {18, "IQ3_XXS", 256, 98},
            {19, "IQ1_S", 256, 50}, {20, "IQ4_NL", 32, 18}, {21, "IQ3_S", 256, 110},
            {22, "IQ2_S", 256, 82}, {23, "IQ4_XS", 256, 136}, {24, "I8", 1, 1}, {25, "I16", 1, 2},
            {26, "I32", 1, 4}, {27, "I64", 1, 8}, {28, "F64", 1, 8}, {29, "IQ1_M", 256, 56},
            {30, "BF16", 1, 2}, {34, "TQ1_0", 256, 54}, {35, "TQ2_0", 256, 66}, {39, "MXFP4", 32, 17},
        };
        for (Object[] row : table) {
            int id = (Integer) row[0];
            BY_ID[id] = new GgmlType(id, (String) row[1], (Integer) row[2], (Integer) row[3]);
        }
    }

    /** @return empty for ids ggml never defined or has removed (4, 5, 31-33, 36-38) */
    public static Optional<GgmlType> byId(int id) {
        return id >= 0 && id < BY_ID.length ? Optional.ofNullable(BY_ID[id]) : Optional.empty();
    }

    /** The Pagoda element type, when Pagoda can read tensors of this type. */
    public Optional<DType> dtype() {
        for (DType t : DType.values()) {
            if (t.ggmlId == id) return Optional.of(t);
        }
        return Optional.empty();
    }
}
