package dev.pagoda.engine.model.ops;

/**
 * Norms applied to each head of q and k before RoPE (Qwen3, OLMo 2's per-head form, Gemma 3).
 *
 * @param q over headDim columns, applied to every query head
 * @param k over headDim columns, applied to every key head
 */
public record QkNorm(Norm q, Norm k) {

    public QkNorm {
        if (q == null || k == null) throw new IllegalArgumentException("q/k norm needs both norms");
        if (q.dim() != k.dim()) throw new IllegalArgumentException("q norm over " + q.dim() + " columns, k norm over " + k.dim());
    }
}
