package dev.pagoda.engine.model.ops;

import java.util.Arrays;

/**
 * What a model declared a {@link Tensor} as: its name, its rows, its precision and its column
 * parts (one for a plain buffer; q, k, v widths for the output of a fused projection).
 */
public record TensorLayout(String name, Rows rows, Precision precision, int[] parts) {

    public TensorLayout {
        if (name == null || rows == null || precision == null) throw new IllegalArgumentException("a tensor needs a name, rows and a precision");
        if (parts.length == 0) throw new IllegalArgumentException("tensor " + name + " needs at least one column part");
        for (int i = 0; i < parts.length; i++) {
            if (parts[i] < 1) throw new IllegalArgumentException("tensor " + name + ": column part " + i + " is " + parts[i]);
        }
        parts = parts.clone();
    }

    @Override
    public int[] parts() {
        return parts.clone();
    }

    public int numParts() {
        return parts.length;
    }

    public int partWidth(int i) {
        return parts[i];
    }

    /** The parts' widths summed. */
    public int cols() {
        int n = 0;
        for (int p : parts) n += p;
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorLayout t && name.equals(t.name) && rows == t.rows && precision == t.precision
                && Arrays.equals(parts, t.parts);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * name.hashCode() + rows.hashCode()) + Arrays.hashCode(parts);
    }

    @Override
    public String toString() {
        return name + " (" + rows + ", " + (parts.length == 1 ? String.valueOf(parts[0]) : Arrays.toString(parts)) + ")";
    }
}
