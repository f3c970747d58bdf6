package dev.pagoda.engine.testing;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * An in-memory F32 weight source with whatever tensor names a test model file declares, filled
 * with seeded random values: matrices with variance 1/inFeatures (activations stay O(1) through
 * the layers), norm weights near 1, biases small. The reference reads the same arrays
 * ({@link #values}), never the engine's decoding.
 */
public final class RandomTensors extends MapWeights {

    private final Random random;
    private final Map<String, double[]> values = new LinkedHashMap<>();

    /** @param spec what {@link #spec()} answers; a test model file may read its own config besides */
    public RandomTensors(ModelSpec spec, long seed) {
        super(spec);
        this.random = new Random(seed);
    }

    /**
     * For a model file whose shape is its own config, not a catalog {@link ModelSpec}: {@link #spec()}
     * then answers a Llama-shaped spec of these sizes, for the engine's reporting only.
     */
    public static RandomTensors ofShape(int hidden, int layers, int heads, int kvHeads, int headDim, int vocab, long seed) {
        ModelSpec spec = new ModelSpec(dev.pagoda.catalog.config.Architecture.LLAMA, hidden, layers, heads, kvHeads, headDim, hidden,
                vocab, 1e-5, 10000, null, 64, false, "float32", java.util.List.of(), java.util.List.of(), null, false, false);
        return new RandomTensors(spec, seed);
    }

    /** A (rows, cols) matrix, uniform with variance 1/cols. */
    public RandomTensors matrix(String name, int rows, int cols) {
        double bound = Math.sqrt(3.0 / cols);
        return put(name, new long[] {rows, cols}, rows * cols, () -> (2 * random.nextDouble() - 1) * bound);
    }

    /** A (n) vector of norm weights in [0.8, 1.2] (or around 0 with {@code centred}, as Gemma stores w in 1 + w). */
    public RandomTensors norm(String name, int n, boolean centred) {
        return put(name, new long[] {n}, n, () -> (centred ? 0 : 1) + (random.nextDouble() - 0.5) * 0.4);
    }

    /** A (n) bias in ±0.1. */
    public RandomTensors bias(String name, int n) {
        return put(name, new long[] {n}, n, () -> (random.nextDouble() - 0.5) * 0.2);
    }

    private RandomTensors put(String name, long[] shape, int n, java.util.function.DoubleSupplier values) {
        float[] f = new float[n];
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = f[i] = (float) values.getAsDouble();
        tensors.put(name, new TensorData(name, DType.F32, shape, MemorySegment.ofArray(f)));
        this.values.put(name, d);
        return this;
    }

    /** The tensor's values, row-major, as the reference reads them. */
    public double[] values(String name) {
        double[] v = values.get(name);
        if (v == null) throw new IllegalArgumentException("no tensor " + name);
        return v;
    }
}
