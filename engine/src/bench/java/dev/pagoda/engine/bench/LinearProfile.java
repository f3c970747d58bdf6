package dev.pagoda.engine.bench;

import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.engine.cpu.Linear;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Wall time spent in linear layers, summed per projection kind (q_proj, gate_proj, lm_head …)
 * over all layers. Wraps a linear factory, so the model code stays untouched; the wrapper costs
 * two {@link System#nanoTime()} calls per matmul. Not thread-safe: the model's forward calls
 * its linears from one thread (the work inside is parallel).
 */
public final class LinearProfile {

    private final Map<String, long[]> nanosByKind = new TreeMap<>(); // kind -> {nanos, calls}

    /** The factory's linears, each timed under its kind. */
    public Function<TensorData, Linear> wrap(Function<TensorData, Linear> factory) {
        return weight -> new Timed(factory.apply(weight), nanosByKind.computeIfAbsent(kindOf(weight.name()), k -> new long[2]));
    }

    /** "model.layers.3.mlp.up_proj.weight" → "up_proj"; the (tied) embedding used as lm_head → "lm_head". */
    static String kindOf(String tensorName) {
        if (tensorName.equals("model.embed_tokens.weight")) return "lm_head";
        String n = tensorName.endsWith(".weight") ? tensorName.substring(0, tensorName.length() - ".weight".length()) : tensorName;
        return n.substring(n.lastIndexOf('.') + 1);
    }

    public void reset() {
        for (long[] v : nanosByKind.values()) {
            v[0] = 0;
            v[1] = 0;
        }
    }

    /** Kind → milliseconds since the last reset. */
    public Map<String, Double> millisByKind() {
        Map<String, Double> m = new TreeMap<>();
        nanosByKind.forEach((k, v) -> m.put(k, v[0] / 1e6));
        return m;
    }

    public double totalMillis() {
        return nanosByKind.values().stream().mapToLong(v -> v[0]).sum() / 1e6;
    }

    private record Timed(Linear inner, long[] sink) implements Linear {
        @Override
        public int inFeatures() {
            return inner.inFeatures();
        }

        @Override
        public int outFeatures() {
            return inner.outFeatures();
        }

        @Override
        public void forward(MemorySegment in, MemorySegment out, int tokens) {
            long t0 = System.nanoTime();
            inner.forward(in, out, tokens);
            sink[0] += System.nanoTime() - t0;
            sink[1]++;
        }
    }
}
