package dev.pagoda.engine.cpu;

import dev.pagoda.catalog.tensor.TensorData;
import java.lang.foreign.MemorySegment;

/**
 * Token embedding lookup: row {@code tokenIds[t]} of the (vocab, hidden) table, decoded to f32.
 * Rows are decoded one by one from the stored dtype, so a quantized table stays quantized.
 */
public final class Embedding {

    private final TensorData table; // (vocab, hidden) any decodable dtype
    private final int hidden;
    private final int vocab;
    private final Parallel parallel;
    private final Parallel.RangeBody body = this::gatherRows;
    private int[] tokenIds;
    private MemorySegment out; // (tokens, hidden) f32

    public Embedding(TensorData table, Parallel parallel) {
        if (table.rank() != 2) throw new IllegalArgumentException(table + ": an embedding table must be 2-D");
        TensorRows.requireSupported(table);
        this.table = table;
        this.vocab = Math.toIntExact(table.dim(0));
        this.hidden = Math.toIntExact(table.dim(1));
        this.parallel = parallel;
    }

    public int vocabSize() {
        return vocab;
    }

    /** @param out (tokens, hidden) f32 */
    public void gather(int[] tokenIds, int tokens, MemorySegment out) {
        FloatRows.requireFloats(out, (long) tokens * hidden, "embedding output");
        for (int t = 0; t < tokens; t++) {
            if (tokenIds[t] < 0 || tokenIds[t] >= vocab) {
                throw new IllegalArgumentException("token id " + tokenIds[t] + " at batch row " + t
                        + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
        this.tokenIds = tokenIds;
        this.out = out;
        parallel.forRange(tokens, 4, body);
    }

    private void gatherRows(int start, int end) {
        for (int t = start; t < end; t++) TensorRows.decodeRow(table, tokenIds[t], out, (long) t * hidden);
    }
}
