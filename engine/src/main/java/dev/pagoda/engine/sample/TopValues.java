package dev.pagoda.engine.sample;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The n largest values of a row and their indices, best first, lower index first among equals.
 * One pass with a small sorted buffer: most values fail the comparison with the current n-th
 * best, a whole vector at a time, so for the small n of top logprobs and typical top-k this is
 * about as cheap as a max scan.
 * A reusable buffer; not thread-safe.
 */
final class TopValues {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

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
        int i = 0;
        for (; i < size && count < n; i++) offer(row[offset + i], i, n);
        // Whole vectors with no lane above the current n-th best (nearly all of them) are skipped.
        for (int bound = F.loopBound(size - i) + i; i < bound; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, row, offset + i);
            if (!v.compare(VectorOperators.GT, values[n - 1]).anyTrue()) continue;
            for (int lane = 0; lane < F.length(); lane++) offer(row[offset + i + lane], i + lane, n);
        }
        for (; i < size; i++) offer(row[offset + i], i, n);
    }

    private void offer(float v, int index, int n) {
        if (count == n && !(v > values[n - 1])) return; // ties keep the earlier (lower) index
        if (v != v) return; // NaN ranks nowhere
        int pos = count < n ? count++ : n - 1;
        while (pos > 0 && v > values[pos - 1]) {
            values[pos] = values[pos - 1];
            ids[pos] = ids[pos - 1];
            pos--;
        }
        values[pos] = v;
        ids[pos] = index;
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
