package dev.pagoda.engine.sample;

/**
 * The n largest values of a row and their indices, best first, lower index first among equals.
 * One pass with a small sorted buffer: most values fail the first comparison with the current
 * n-th best, so for the small n of top logprobs and typical top-k this is as cheap as a max scan.
 * A reusable buffer; not thread-safe.
 */
final class TopValues {

    private int[] ids = new int[0];       // (n) best first
    private float[] values = new float[0]; // (n)
    private int count;

    /** Selects the {@code n} largest of {@code row[offset .. offset+size)}; fewer when size < n. */
    void select(float[] row, int offset, int size, int n) {
        if (ids.length < n) {
            ids = new int[n];
            values = new float[n];
        }
        count = 0;
        for (int i = 0; i < size; i++) {
            float v = row[offset + i];
            if (count == n && !(v > values[n - 1])) continue; // ties keep the earlier (lower) index
            if (v != v) continue; // NaN ranks nowhere
            int pos = count < n ? count++ : n - 1;
            while (pos > 0 && v > values[pos - 1]) {
                values[pos] = values[pos - 1];
                ids[pos] = ids[pos - 1];
                pos--;
            }
            values[pos] = v;
            ids[pos] = i;
        }
    }

    int count() {
        return count;
    }

    int id(int rank) {
        return ids[rank];
    }

    float value(int rank) {
        return values[rank];
    }
}
