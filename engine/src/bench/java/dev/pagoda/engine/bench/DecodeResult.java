package dev.pagoda.engine.bench;

import java.util.Map;

/**
 * Timed decode steps of {@link DecodeBench}.
 *
 * @param batch           sequences decoding together, one token each per step
 * @param steps           timed steps
 * @param totalMillis     wall time of the timed steps (forward + greedy sampling)
 * @param linearMillis    of which, per projection kind, inside linear layers
 * @param samplingMillis  of which, the argmax over the logits
 */
public record DecodeResult(int batch, int steps, double totalMillis, Map<String, Double> linearMillis, double samplingMillis) {

    public DecodeResult {
        linearMillis = Map.copyOf(linearMillis);
    }

    /** Output tokens per second over all sequences. */
    public double tokensPerSecond() {
        return batch * (double) steps / (totalMillis / 1e3);
    }

    public double msPerStep() {
        return totalMillis / steps;
    }

    public double linearTotalMillis() {
        return linearMillis.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** Attention, norms, RoPE, embedding, KV writes and the step's bookkeeping. */
    public double otherMillis() {
        return totalMillis - linearTotalMillis() - samplingMillis;
    }
}
