package dev.pagoda.engine.cpu;

import dev.pagoda.engine.model.ops.Activation;
import dev.pagoda.engine.model.ops.MoeSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A mixture-of-experts MLP as transformers' Mixtral and Qwen3-MoE blocks compute it: router
 * logits {@code x·Wrᵀ}, a softmax over the experts (double), the {@code topK} best (ties to the
 * lower index), their weights renormalised to sum to one when the spec says so, then
 * {@code out[t] = Σ_k w_k · down_k(act(gate_k(x[t])) · up_k(x[t]))}. Each expert runs once per
 * step over the rows routed to it, gathered contiguously, so its weights are streamed once
 * whatever the batch. Buffers are sized for {@code maxTokens} at construction; a step allocates
 * nothing. One instance per layer kind and engine loop.
 */
public final class MixtureOfExperts {

    /**
     * One layer's weights.
     *
     * @param router (experts, hidden)
     * @param gate   per expert (intermediate, hidden)
     * @param up     per expert (intermediate, hidden)
     * @param down   per expert (hidden, intermediate)
     */
    public record Weights(Linear router, Linear[] gate, Linear[] up, Linear[] down) {}

    private final MoeSpec spec;
    private final int hidden;
    private final int intermediate;
    private final SwiGlu swiGlu;
    private final Activations activations;
    private final MemorySegment logits; // (maxTokens, experts) f32
    private final MemorySegment gathered; // (maxTokens, hidden) f32: the rows routed to one expert
    private final MemorySegment gate; // (maxTokens, intermediate) f32, then act(gate)·up
    private final MemorySegment up; // (maxTokens, intermediate) f32
    private final MemorySegment expertOut; // (maxTokens, hidden) f32
    private final int[] chosen; // (maxTokens, topK) expert of each choice
    private final float[] chosenWeight; // (maxTokens, topK)
    private final int[] rows; // (maxTokens) token row of each gathered row
    private final float[] rowWeight; // (maxTokens)
    private final double[] probabilities; // (experts)

    public MixtureOfExperts(MoeSpec spec, int hidden, int intermediate, int maxTokens, Parallel parallel, Arena arena) {
        this.spec = spec;
        this.hidden = hidden;
        this.intermediate = intermediate;
        this.swiGlu = new SwiGlu(parallel);
        this.activations = new Activations(parallel);
        this.logits = arena.allocate(4L * maxTokens * spec.numExperts(), 64);
        this.gathered = arena.allocate(4L * maxTokens * hidden, 64);
        this.gate = arena.allocate(4L * maxTokens * intermediate, 64);
        this.up = arena.allocate(4L * maxTokens * intermediate, 64);
        this.expertOut = arena.allocate(4L * maxTokens * hidden, 64);
        this.chosen = new int[maxTokens * spec.topK()];
        this.chosenWeight = new float[maxTokens * spec.topK()];
        this.rows = new int[maxTokens];
        this.rowWeight = new float[maxTokens];
        this.probabilities = new double[spec.numExperts()];
    }

    /**
     * @param x   (tokens, hidden) f32
     * @param out (tokens, hidden) f32, overwritten
     */
    public void forward(Weights w, MemorySegment x, MemorySegment out, int tokens) {
        FloatRows.requireFloats(x, (long) tokens * hidden, "MoE input");
        FloatRows.requireFloats(out, (long) tokens * hidden, "MoE output");
        w.router().forward(x, logits, tokens);
        for (int t = 0; t < tokens; t++) route(t);
        FloatRows.zero(out, 0, tokens * hidden);
        long rowBytes = 4L * hidden;
        for (int e = 0; e < spec.numExperts(); e++) {
            int count = 0;
            for (int t = 0; t < tokens; t++) {
                for (int k = 0; k < spec.topK(); k++) {
                    if (chosen[t * spec.topK() + k] != e) continue;
                    MemorySegment.copy(x, t * rowBytes, gathered, count * rowBytes, rowBytes);
                    rows[count] = t;
                    rowWeight[count++] = chosenWeight[t * spec.topK() + k];
                }
            }
            if (count == 0) continue;
            w.gate()[e].forward(gathered, gate, count);
            w.up()[e].forward(gathered, up, count);
            if (spec.activation() == Activation.SILU) swiGlu.apply(gate, up, gate, count, intermediate);
            else activations.gated(spec.activation(), gate, up, gate, (long) count * intermediate);
            w.down()[e].forward(gate, expertOut, count);
            for (int i = 0; i < count; i++) FloatRows.axpy(rowWeight[i], expertOut, (long) i * hidden, out, (long) rows[i] * hidden, hidden);
        }
    }

    /** Softmax over token t's router logits, its top-k experts and their (renormalised) weights. */
    private void route(int t) {
        int experts = spec.numExperts();
        double max = Double.NEGATIVE_INFINITY;
        for (int e = 0; e < experts; e++) max = Math.max(max, FloatRows.get(logits, (long) t * experts + e));
        double sum = 0;
        for (int e = 0; e < experts; e++) {
            probabilities[e] = Math.exp(FloatRows.get(logits, (long) t * experts + e) - max);
            sum += probabilities[e];
        }
        for (int e = 0; e < experts; e++) probabilities[e] /= sum;
        int base = t * spec.topK();
        Arrays.fill(chosen, base, base + spec.topK(), -1);
        double chosenSum = 0;
        for (int k = 0; k < spec.topK(); k++) {
            int best = -1;
            for (int e = 0; e < experts; e++) {
                if (isChosen(base, k, e)) continue;
                if (best < 0 || probabilities[e] > probabilities[best]) best = e;
            }
            chosen[base + k] = best;
            chosenSum += probabilities[best];
        }
        for (int k = 0; k < spec.topK(); k++) {
            double p = probabilities[chosen[base + k]];
            chosenWeight[base + k] = (float) (spec.normalizeTopK() ? p / chosenSum : p);
        }
    }

    private boolean isChosen(int base, int upTo, int expert) {
        for (int k = 0; k < upTo; k++) if (chosen[base + k] == expert) return true;
        return false;
    }
}
