package dev.pagoda.engine.load;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.catalog.tensor.WeightSource;
import dev.pagoda.engine.cpu.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code --load-format dummy}: random weights for a {@link ModelSpec}, made in place in the
 * chosen dtype, so the forward pass costs what it costs with real weights but no file is read.
 * Each tensor is generated on first request from a seed derived from the source seed and the
 * tensor's name, so the values do not depend on the order tensors are asked for.
 *
 * <p>Scales keep activations finite through any depth: matrices are uniform with variance
 * 1/inFeatures (unit-variance inputs give unit-variance outputs), the embedding likewise with
 * 1/hidden (it may double as the lm_head), norm weights in [0.8, 1.2] and biases in ±0.1.
 * Norm weights and biases are not all-ones/zero so tests using this source see them applied.
 */
public final class DummyWeights implements WeightSource {

    private enum Kind { MATRIX, NORM, BIAS }

    private record Planned(long[] shape, Kind kind) {}

    private final ModelSpec spec;
    private final DType dtype;
    private final long seed;
    private final Map<String, Planned> plan; // name -> shape, insertion order = HF order
    private final Map<String, TensorData> made = new ConcurrentHashMap<>();
    private final Arena arena = Arena.ofShared();
    private final Parallel parallel; // fills rows in parallel; null: on the calling thread

    /** Generates on the calling thread; @param dtype F32, F16 or BF16 */
    public DummyWeights(ModelSpec spec, DType dtype, long seed) {
        this(spec, dtype, seed, null);
    }

    /**
     * @param dtype    F32, F16 or BF16
     * @param parallel workers that fill large tensors (billions of values for an 8B shape);
     *                 the bytes do not depend on it
     */
    public DummyWeights(ModelSpec spec, DType dtype, long seed, Parallel parallel) {
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException("dummy weights come in F32, F16 or BF16, not " + dtype);
        }
        this.spec = spec;
        this.dtype = dtype;
        this.seed = seed;
        this.plan = planFor(spec);
        this.parallel = parallel;
    }

    private static Map<String, Planned> planFor(ModelSpec s) {
        Map<String, Planned> p = new LinkedHashMap<>();
        long d = s.hiddenSize();
        p.put("model.embed_tokens.weight", new Planned(new long[] {s.vocabSize(), d}, Kind.MATRIX));
        for (int l = 0; l < s.numLayers(); l++) {
            String n = "model.layers." + l + ".";
            p.put(n + "input_layernorm.weight", new Planned(new long[] {d}, Kind.NORM));
            p.put(n + "self_attn.q_proj.weight", new Planned(new long[] {s.qDim(), d}, Kind.MATRIX));
            p.put(n + "self_attn.k_proj.weight", new Planned(new long[] {s.kvDim(), d}, Kind.MATRIX));
            p.put(n + "self_attn.v_proj.weight", new Planned(new long[] {s.kvDim(), d}, Kind.MATRIX));
            if (s.attentionBias()) {
                p.put(n + "self_attn.q_proj.bias", new Planned(new long[] {s.qDim()}, Kind.BIAS));
                p.put(n + "self_attn.k_proj.bias", new Planned(new long[] {s.kvDim()}, Kind.BIAS));
                p.put(n + "self_attn.v_proj.bias", new Planned(new long[] {s.kvDim()}, Kind.BIAS));
            }
            if (s.qkNorm()) {
                p.put(n + "self_attn.q_norm.weight", new Planned(new long[] {s.headDim()}, Kind.NORM));
                p.put(n + "self_attn.k_norm.weight", new Planned(new long[] {s.headDim()}, Kind.NORM));
            }
            p.put(n + "self_attn.o_proj.weight", new Planned(new long[] {d, s.qDim()}, Kind.MATRIX));
            p.put(n + "post_attention_layernorm.weight", new Planned(new long[] {d}, Kind.NORM));
            p.put(n + "mlp.gate_proj.weight", new Planned(new long[] {s.intermediateSize(), d}, Kind.MATRIX));
            p.put(n + "mlp.up_proj.weight", new Planned(new long[] {s.intermediateSize(), d}, Kind.MATRIX));
            p.put(n + "mlp.down_proj.weight", new Planned(new long[] {d, s.intermediateSize()}, Kind.MATRIX));
        }
        p.put("model.norm.weight", new Planned(new long[] {d}, Kind.NORM));
        if (!s.tieWordEmbeddings()) {
            p.put("lm_head.weight", new Planned(new long[] {s.vocabSize(), d}, Kind.MATRIX));
        }
        return Collections.unmodifiableMap(p);
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    public DType dtype() {
        return dtype;
    }

    @Override
    public Set<String> tensorNames() {
        return plan.keySet();
    }

    @Override
    public TensorData tensor(String name) {
        Planned planned = plan.get(name);
        if (planned == null) {
            throw new IllegalArgumentException("dummy weights (" + spec.architecture() + " shape) have no tensor '"
                    + name + "'");
        }
        return made.computeIfAbsent(name, n -> generate(n, planned));
    }

    private TensorData generate(String name, Planned planned) {
        long count = 1;
        for (long dim : planned.shape()) count = Math.multiplyExact(count, dim);
        MemorySegment data;
        try {
            data = arena.allocate(dtype.bytesFor(count), 64);
        } catch (OutOfMemoryError e) {
            throw new IllegalArgumentException("not enough memory for dummy tensor " + name + " ("
                    + dtype.bytesFor(count) + " bytes of " + dtype + ")", e);
        }
        double lo, hi;
        switch (planned.kind()) {
            case MATRIX -> {
                double a = Math.sqrt(3.0 / planned.shape()[1]);
                lo = -a;
                hi = a;
            }
            case NORM -> {
                lo = 0.8;
                hi = 1.2;
            }
            default -> {
                lo = -0.1;
                hi = 0.1;
            }
        }
        // One generator per row, seeded by (source seed, tensor name, row): rows can be filled
        // on any thread in any order and still give the same bytes.
        int rows = Math.toIntExact(planned.shape().length == 1 ? 1 : planned.shape()[0]);
        long rowLength = count / rows;
        long tensorSeed = seed * 0x9E3779B97F4A7C15L + name.hashCode();
        double low = lo, span = hi - lo;
        Parallel.RangeBody fill = (start, end) -> {
            for (int r = start; r < end; r++) {
                SplittableRandom random = new SplittableRandom(tensorSeed + r * 0xBF58476D1CE4E5B9L);
                for (long i = r * rowLength, stop = i + rowLength; i < stop; i++) {
                    FloatStore.write(dtype, data, i, (float) (low + span * random.nextDouble()));
                }
            }
        };
        if (parallel == null) {
            fill.run(0, rows);
        } else {
            parallel.forRange(rows, 16, fill);
        }
        return new TensorData(name, dtype, planned.shape(), data);
    }


    @Override
    public void close() {
        arena.close();
    }
}
