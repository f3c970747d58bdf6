package dev.pagoda.engine.model.ops;

/**
 * One HF tensor of a (possibly fused) projection: a block of {@code rows} output rows. Fused
 * projections list several, stacked on the output axis in order (q, k, v; gate, up), as vLLM's
 * {@code QKVParallelLinear} and {@code MergedColumnParallelLinear} stack them.
 *
 * @param weight HF name of the (rows, inFeatures) weight
 * @param bias   HF name of its (rows) bias, or null for none
 * @param rows   its output rows
 */
public record Part(String weight, String bias, int rows) {

    public Part {
        if (weight == null || weight.isBlank()) throw new IllegalArgumentException("a projection part needs a weight name");
        if (rows < 1) throw new IllegalArgumentException(weight + ": a projection part needs rows >= 1, got " + rows);
    }

    public static Part of(String weight, int rows) {
        return new Part(weight, null, rows);
    }

    public static Part withBias(String weight, String bias, int rows) {
        return new Part(weight, bias, rows);
    }
}
