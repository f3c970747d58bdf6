package dev.pagoda.engine.model.ops;

/**
 * A mixture-of-experts MLP: a router scores {@code numExperts} experts per token, the best
 * {@code topK} run (each a gated MLP {@code down(act(gate(x))·up(x))}) and their outputs are
 * summed, weighted by the router's softmax (renormalised over the chosen experts when
 * {@code normalizeTopK}, as Mixtral and Qwen3-MoE do).
 */
public record MoeSpec(int numExperts, int topK, boolean normalizeTopK, Activation activation) {

    public MoeSpec {
        if (numExperts < 1 || topK < 1 || topK > numExperts) {
            throw new IllegalArgumentException("MoE needs 1 <= top_k <= num_experts, got top_k " + topK + " of " + numExperts);
        }
        if (activation == null) throw new IllegalArgumentException("MoE needs an activation");
    }
}
