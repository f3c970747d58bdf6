package dev.pagoda.engine.backend.cpu;

import dev.pagoda.engine.cpu.AttentionBatch;
import dev.pagoda.engine.cpu.CpuKvCache;
import dev.pagoda.engine.model.ForwardBatch;
import dev.pagoda.engine.model.ops.Rows;

/**
 * What the recorded plan reads from the step being run: the flattened batch, its attention view
 * and the cache. One per step, made by {@link CpuModel#forward}.
 */
record CpuStep(ForwardBatch batch, AttentionBatch attention, CpuKvCache cache) {

    static CpuStep of(ForwardBatch batch, CpuKvCache cache) {
        return new CpuStep(batch, new AttentionBatch(batch.queryStart(), batch.contextLens(), batch.blockTables()), cache);
    }

    int tokens() {
        return batch.numTokens();
    }

    /** Rows a tensor of this kind has in this step. */
    int rows(Rows rows) {
        return rows == Rows.TOKENS ? batch.numTokens() : batch.logitRows().length;
    }
}
