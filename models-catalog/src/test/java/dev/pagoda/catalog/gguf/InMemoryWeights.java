package dev.pagoda.catalog.gguf;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.catalog.tensor.WeightSource;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/** A model's F32 tensors in heap memory under HF names: the test-side source of truth. */
final class InMemoryWeights implements WeightSource {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final ModelSpec spec;
    final Map<String, float[]> values = new LinkedHashMap<>();
    final Map<String, long[]> shapes = new LinkedHashMap<>();

    InMemoryWeights(ModelSpec spec) {
        this.spec = spec;
    }

    /** Random weights of every tensor an HF checkpoint of {@code spec} has. */
    static InMemoryWeights random(ModelSpec spec, long seed) {
        InMemoryWeights w = new InMemoryWeights(spec);
        Random random = new Random(seed);
        int d = spec.hiddenSize(), q = spec.qDim(), kv = spec.kvDim(), ff = spec.intermediateSize();
        w.put(random, "model.embed_tokens.weight", spec.vocabSize(), d);
        for (int l = 0; l < spec.numLayers(); l++) {
            String p = "model.layers." + l + ".";
            w.put(random, p + "input_layernorm.weight", d);
            w.put(random, p + "self_attn.q_proj.weight", q, d);
            w.put(random, p + "self_attn.k_proj.weight", kv, d);
            w.put(random, p + "self_attn.v_proj.weight", kv, d);
            if (spec.attentionBias()) {
                w.put(random, p + "self_attn.q_proj.bias", q);
                w.put(random, p + "self_attn.k_proj.bias", kv);
                w.put(random, p + "self_attn.v_proj.bias", kv);
            }
            if (spec.qkNorm()) {
                w.put(random, p + "self_attn.q_norm.weight", spec.headDim());
                w.put(random, p + "self_attn.k_norm.weight", spec.headDim());
            }
            w.put(random, p + "self_attn.o_proj.weight", d, q);
            w.put(random, p + "post_attention_layernorm.weight", d);
            w.put(random, p + "mlp.gate_proj.weight", ff, d);
            w.put(random, p + "mlp.up_proj.weight", ff, d);
            w.put(random, p + "mlp.down_proj.weight", d, ff);
        }
        w.put(random, "model.norm.weight", d);
        if (!spec.tieWordEmbeddings()) w.put(random, "lm_head.weight", spec.vocabSize(), d);
        return w;
    }

    void put(Random random, String name, long... shape) {
        long n = 1;
        for (long s : shape) n *= s;
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = (float) random.nextGaussian();
        put(name, v, shape);
    }

    void put(String name, float[] v, long... shape) {
        values.put(name, v);
        shapes.put(name, shape);
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    @Override
    public Set<String> tensorNames() {
        return values.keySet();
    }

    @Override
    public TensorData tensor(String name) {
        float[] v = values.get(name);
        if (v == null) throw new IllegalArgumentException("no tensor " + name);
        MemorySegment bytes = MemorySegment.ofArray(new byte[v.length * 4]);
        MemorySegment.copy(v, 0, bytes, F32, 0, v.length);
        return new TensorData(name, DType.F32, shapes.get(name), bytes);
    }

    @Override
    public void close() {}
}
