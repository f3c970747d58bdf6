package dev.pagoda.engine.cuda.model;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.quant.Dequantize;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.catalog.tensor.WeightSource;
import dev.pagoda.engine.cuda.Bf16;
import dev.pagoda.engine.cuda.CudaDevice;
import dev.pagoda.engine.cuda.DeviceBuffer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A Llama-family model's weights on the device, bf16, uploaded once into one allocation. The
 * q/k/v projections are stacked into one {@code (qDim + 2·kvDim, hidden)} matrix and gate/up into
 * one {@code (2·intermediate, hidden)} matrix, so a layer costs four GEMMs instead of seven.
 * BF16 sources are copied as they are; any other dtype the catalog decodes (F32, F16, Q8_0,
 * K-quants …) is decoded on the host and rounded to bf16 (round to nearest even).
 */
public final class CudaWeights implements AutoCloseable {

    private static final long ALIGN = 256;

    /**
     * Device addresses of one decoder layer; 0 where the architecture has no such tensor.
     *
     * @param inputNorm (hidden)
     * @param qkv       (qDim + 2·kvDim, hidden): q rows, then k, then v
     * @param qkvBias   (qDim + 2·kvDim) Qwen2's biases, or 0
     * @param qNorm     (headDim) Qwen3's per-head q RMSNorm, or 0
     * @param kNorm     (headDim) Qwen3's per-head k RMSNorm, or 0
     * @param o         (hidden, qDim)
     * @param postNorm  (hidden)
     * @param gateUp    (2·intermediate, hidden): gate rows, then up
     * @param down      (hidden, intermediate)
     */
    public record Layer(long inputNorm, long qkv, long qkvBias, long qNorm, long kNorm, long o, long postNorm,
                        long gateUp, long down) {}

    private final DeviceBuffer storage;
    private final long embedding; // (vocab, hidden)
    private final long finalNorm; // (hidden)
    private final long lmHead; // (vocab, hidden); the embedding's address when tied
    private final Layer[] layers;

    private CudaWeights(DeviceBuffer storage, long embedding, long finalNorm, long lmHead, Layer[] layers) {
        this.storage = storage;
        this.embedding = embedding;
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        this.layers = layers;
    }

    public static CudaWeights upload(CudaDevice device, WeightSource weights) {
        ModelSpec s = weights.spec();
        long d = s.hiddenSize();
        long qkvRows = (long) s.qDim() + 2L * s.kvDim();
        boolean tied = s.tieWordEmbeddings() && !weights.has("lm_head.weight");

        Allocator a = new Allocator();
        long embedding = a.take(s.vocabSize() * d);
        long finalNorm = a.take(d);
        long lmHead = tied ? embedding : a.take(s.vocabSize() * d);
        long[][] offsets = new long[s.numLayers()][9];
        for (long[] o : offsets) {
            o[0] = a.take(d);
            o[1] = a.take(qkvRows * d);
            o[2] = s.attentionBias() ? a.take(qkvRows) : -1;
            o[3] = s.qkNorm() ? a.take(s.headDim()) : -1;
            o[4] = s.qkNorm() ? a.take(s.headDim()) : -1;
            o[5] = a.take(d * s.qDim());
            o[6] = a.take(d);
            o[7] = a.take(2L * s.intermediateSize() * d);
            o[8] = a.take(d * s.intermediateSize());
        }
        DeviceBuffer storage = device.allocate(a.total);
        try {
            Uploader up = new Uploader(weights, storage);
            up.put("model.embed_tokens.weight", embedding, s.vocabSize(), d);
            up.put("model.norm.weight", finalNorm, d);
            if (!tied) up.put("lm_head.weight", lmHead, s.vocabSize(), d);
            Layer[] layers = new Layer[s.numLayers()];
            for (int l = 0; l < layers.length; l++) {
                long[] o = offsets[l];
                String p = "model.layers." + l + ".";
                up.put(p + "input_layernorm.weight", o[0], d);
                up.put(p + "self_attn.q_proj.weight", o[1], s.qDim(), d);
                up.put(p + "self_attn.k_proj.weight", o[1] + 2L * s.qDim() * d, s.kvDim(), d);
                up.put(p + "self_attn.v_proj.weight", o[1] + 2L * (s.qDim() + s.kvDim()) * d, s.kvDim(), d);
                if (o[2] >= 0) {
                    up.put(p + "self_attn.q_proj.bias", o[2], s.qDim());
                    up.put(p + "self_attn.k_proj.bias", o[2] + 2L * s.qDim(), s.kvDim());
                    up.put(p + "self_attn.v_proj.bias", o[2] + 2L * (s.qDim() + s.kvDim()), s.kvDim());
                }
                if (o[3] >= 0) {
                    up.put(p + "self_attn.q_norm.weight", o[3], s.headDim());
                    up.put(p + "self_attn.k_norm.weight", o[4], s.headDim());
                }
                up.put(p + "self_attn.o_proj.weight", o[5], d, s.qDim());
                up.put(p + "post_attention_layernorm.weight", o[6], d);
                up.put(p + "mlp.gate_proj.weight", o[7], s.intermediateSize(), d);
                up.put(p + "mlp.up_proj.weight", o[7] + 2L * s.intermediateSize() * d, s.intermediateSize(), d);
                up.put(p + "mlp.down_proj.weight", o[8], d, s.intermediateSize());
                long base = storage.address();
                layers[l] = new Layer(base + o[0], base + o[1], o[2] < 0 ? 0 : base + o[2], o[3] < 0 ? 0 : base + o[3],
                        o[4] < 0 ? 0 : base + o[4], base + o[5], base + o[6], base + o[7], base + o[8]);
            }
            long base = storage.address();
            return new CudaWeights(storage, base + embedding, base + finalNorm, base + lmHead, layers);
        } catch (RuntimeException e) {
            storage.close();
            throw e;
        }
    }

    public long embedding() {
        return embedding;
    }

    public long finalNorm() {
        return finalNorm;
    }

    public long lmHead() {
        return lmHead;
    }

    public Layer layer(int l) {
        return layers[l];
    }

    public int numLayers() {
        return layers.length;
    }

    /** Device bytes the weights occupy. */
    public long bytes() {
        return storage.bytes();
    }

    @Override
    public void close() {
        storage.close();
    }

    /** Offsets of bf16 tensors in one buffer, each 256-byte aligned (cuBLAS and 16-byte vector loads like that). */
    private static final class Allocator {
        long total;

        long take(long elements) {
            long at = total;
            total = Math.ceilDiv(total + 2 * elements, ALIGN) * ALIGN;
            return at;
        }
    }

    /** Copies HF-named tensors into the buffer as bf16, decoding on the host when they are stored otherwise. */
    private record Uploader(WeightSource weights, DeviceBuffer storage) {

        private static final int CHUNK_ELEMENTS = 1 << 22;

        void put(String name, long offset, long... shape) {
            TensorData t = weights.checkedTensor(name, shape);
            long n = t.elementCount();
            if (t.dtype() == DType.BF16) {
                storage.upload(t.data().asSlice(0, 2 * n), offset);
                return;
            }
            if (!Dequantize.canDecode(t.dtype())) {
                throw new IllegalArgumentException(name + ": the CUDA backend cannot decode " + t.dtype() + " weights");
            }
            long rowLength = shape[shape.length - 1];
            long rowBytes = t.dtype().bytesFor((int) rowLength);
            long rows = n / rowLength;
            int rowsPerChunk = (int) Math.max(1, CHUNK_ELEMENTS / rowLength);
            float[] floats = new float[(int) (rowsPerChunk * rowLength)];
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment staging = arena.allocate(2L * floats.length, 2);
                for (long r0 = 0; r0 < rows; r0 += rowsPerChunk) {
                    int count = (int) Math.min(rowsPerChunk, rows - r0);
                    for (int r = 0; r < count; r++) {
                        Dequantize.row(t.dtype(), t.data(), (r0 + r) * rowBytes, floats, (int) (r * rowLength), (int) rowLength);
                    }
                    int elements = (int) (count * rowLength);
                    for (int i = 0; i < elements; i++) staging.setAtIndex(ValueLayout.JAVA_SHORT, i, Bf16.bits(floats[i]));
                    storage.upload(staging.asSlice(0, 2L * elements), offset + 2 * r0 * rowLength);
                }
            }
        }
    }
}
