package dev.pagoda.engine.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.config.Architecture;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.config.RopeScaling;
import dev.pagoda.catalog.safetensors.HfWeightSource;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.engine.cuda.kernels.CudaKernels;
import dev.pagoda.engine.load.DummyWeights;
import dev.pagoda.engine.model.TransformersFixtures;
import dev.pagoda.engine.model.arch.Architectures;
import dev.pagoda.engine.model.ops.Activation;
import dev.pagoda.engine.model.ops.AttentionSpec;
import dev.pagoda.engine.model.ops.ModelDefinition;
import dev.pagoda.engine.model.ops.NormSpec;
import dev.pagoda.engine.model.ops.Part;
import dev.pagoda.engine.model.ops.Precision;
import dev.pagoda.engine.model.ops.RopeSpec;
import dev.pagoda.engine.model.ops.RopeStyle;
import dev.pagoda.engine.model.ops.Rows;
import dev.pagoda.engine.model.ops.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The CUDA backend's recorded plan, without a GPU (declaring and recording touch no device):
 * for the Llama family it is the launch sequence the hand-written forward pass had, with the
 * same buffers and weight bytes, so the GPU runs what it ran before; operations the backend has
 * no kernel for are refused while recording, naming the operation.
 */
class CudaPlanTest {

    private static final CudaModel.Limits LIMITS = new CudaModel.Limits(256, 32, 512, 16, 128);

    private static ModelSpec tiny(Architecture arch, int kvHeads, boolean tied, boolean bias, boolean qkNorm) {
        return new ModelSpec(arch, 64, 3, 4, kvHeads, 16, 96, 101, 1e-5, 10000, null, 512, tied, "float32",
                List.of(1), List.of(2), null, bias, qkNorm);
    }

    private record Recorded(CudaOps ops, List<CudaOps.Launch> plan) {}

    private static Recorded record(ModelSpec spec, ModelDefinition.Factory model) {
        try (DummyWeights weights = new DummyWeights(spec, DType.BF16, 1)) {
            CudaOps ops = new CudaOps(null, null, null, weights, LIMITS, null);
            return new Recorded(ops, ops.record(model.create(spec, ops)));
        }
    }

    /** The launches of the forward pass CudaLlama wrote by hand, in its order. */
    private static List<String> handWrittenLlamaSequence(int layers) {
        List<String> labels = new ArrayList<>(List.of("embedding"));
        for (int l = 0; l < layers; l++) {
            labels.addAll(List.of("rms_norm", "gemm_qkv", "qkv_rope_cache", "attention_decode", "attention_prefill", "gemm_o",
                    "rms_norm", "gemm_gate_up", "silu_mul", "gemm_down"));
        }
        labels.addAll(List.of("rms_norm", "lm_head"));
        return labels;
    }

    private static List<String> labels(List<CudaOps.Launch> plan, CudaOps.StepShape shape) {
        List<String> out = new ArrayList<>();
        for (CudaOps.Launch l : plan) if (l.runs(shape)) out.add(l.label());
        return out;
    }

    private static CudaOps.StepShape shape(int tokens, int numDecode, int numTiles, int rows) {
        CudaOps.StepShape s = new CudaOps.StepShape();
        s.tokens = tokens;
        s.numDecode = numDecode;
        s.numTiles = numTiles;
        s.rows = rows;
        return s;
    }

    @Test
    void theLlamaFamilyLaunchesWhatTheHandWrittenForwardPassDid() {
        for (ModelSpec spec : List.of(tiny(Architecture.LLAMA, 2, false, false, false), tiny(Architecture.QWEN2, 2, true, true, false),
                tiny(Architecture.QWEN3, 1, false, false, true), tiny(Architecture.MISTRAL, 4, false, false, false))) {
            Recorded r = record(spec, Architectures::create);
            List<String> all = handWrittenLlamaSequence(spec.numLayers());
            assertEquals(all, labels(r.plan(), shape(40, 2, 3, 3)), spec.architecture() + ": a mixed step");
            List<String> decodeOnly = new ArrayList<>(all);
            decodeOnly.removeIf("attention_prefill"::equals);
            assertEquals(decodeOnly, labels(r.plan(), shape(4, 4, 0, 4)), spec.architecture() + ": a decode step");
            List<String> unsampled = new ArrayList<>(all);
            unsampled.removeIf("attention_decode"::equals);
            unsampled.subList(unsampled.size() - 2, unsampled.size()).clear(); // no rows: no final norm, no lm_head
            assertEquals(unsampled, labels(r.plan(), shape(32, 0, 2, 0)), spec.architecture() + ": a prefill chunk that samples nothing");
        }
    }

    @Test
    void buffersAndWeightsTakeTheBytesTheyTookBefore() {
        ModelSpec spec = tiny(Architecture.QWEN2, 2, false, true, false);
        Recorded r = record(spec, Architectures::create);
        long t = LIMITS.maxTokens();
        long s = LIMITS.maxSeqs();
        long d = spec.hiddenSize();
        long qkv = spec.qDim() + 2L * spec.kvDim();
        long inter = spec.intermediateSize();
        // CudaLlama's buffers: x f32, h bf16, qkv f32, q bf16, attn bf16, gate|up bf16, act bf16, last hidden bf16,
        // logits f32, and the RoPE table (at least 256 bytes, as every allocation)
        long expected = 4 * t * d + 2 * t * d + 4 * t * qkv + 2 * t * spec.qDim() + 2 * t * spec.qDim() + 4 * t * inter
                + 2 * t * inter + 2 * s * d + 4 * s * spec.vocabSize() + Math.max(256, 4L * spec.headDim() / 2);
        assertEquals(expected, r.ops().declaredTensorBytes());
        int maxBlocks = Math.ceilDiv(LIMITS.maxModelLen(), LIMITS.blockSize());
        var geometry = new CudaKernels.AttentionGeometry(spec.numHeads(), spec.numKvHeads(), spec.headDim(), LIMITS.blockSize(),
                maxBlocks, AttentionSpec.defaultScale(spec.headDim()), 0);
        assertEquals(Math.max(256, CudaKernels.decodeWorkspaceBytes(geometry, LIMITS.maxSeqs())), r.ops().decodeWorkspaceBytes());
        // CudaWeights' single allocation: every tensor rounded up to 256 bytes, q|k|v and gate|up stacked
        long perLayer = align(2 * d) + align(2 * qkv * d) + align(2 * qkv) + align(2 * d * spec.qDim()) + align(2 * d)
                + align(2 * 2 * inter * d) + align(2 * d * inter);
        long weights = align(2L * spec.vocabSize() * d) + spec.numLayers() * perLayer + align(2 * d) + align(2L * spec.vocabSize() * d);
        assertEquals(weights, r.ops().weightStore().declaredBytes());
    }

    private static long align(long bytes) {
        return Math.ceilDiv(bytes, 256) * 256;
    }

    @Test
    void aTiedHeadReadsTheEmbeddingAndTakesNoBytes() {
        ModelSpec tied = tiny(Architecture.LLAMA, 2, true, false, false);
        ModelSpec untied = tiny(Architecture.LLAMA, 2, false, false, false);
        long difference = record(untied, Architectures::create).ops().weightStore().declaredBytes()
                - record(tied, Architectures::create).ops().weightStore().declaredBytes();
        assertEquals(align(2L * tied.vocabSize() * tied.hiddenSize()), difference);
    }

    @Test
    void operationsWithoutAKernelAreRefusedWhileRecording() {
        ModelSpec spec = tiny(Architecture.LLAMA, 2, false, false, false);
        assertRefused(spec, ops -> {
            ops.weights().norm(NormSpec.rmsPlusOne(1e-6), "model.norm.weight", spec.hiddenSize());
            return o -> {};
        }, "not implemented on the CUDA backend");
        assertRefused(spec, ops -> {
            ops.attentionLayer(new AttentionSpec(4, 2, 16, 0.25f, 0, 50f, RopeSpec.of(spec)), null);
            return o -> {};
        }, "soft-capping");
        assertRefused(spec, ops -> {
            ops.attentionLayer(new AttentionSpec(4, 2, 16, 0.25f, 0, 0f,
                    new RopeSpec(16, 8, RopeStyle.ROTATE_HALF, 10000, null, 512, null)), null);
            return o -> {};
        }, "RoPE ROTATE_HALF over 8 of 16");
        assertRefused(spec, ops -> {
            Tensor gateUp = ops.tensor("gate_up", Precision.COMPACT, Rows.TOKENS, 96, 96);
            Tensor act = ops.gatedOutput("act", gateUp);
            ops.logits(spec.vocabSize());
            return o -> o.gatedActivation(Activation.GELU_TANH, gateUp, act);
        }, "GELU_TANH-gated MLPs");
        assertRefused(spec, ops -> {
            Tensor x = ops.tensor("x", Precision.COMPACT, Rows.TOKENS, 64);
            Tensor y = ops.tensor("y", Precision.COMPACT, Rows.TOKENS, 64);
            var dense = ops.weights().linear("o", 64, Part.withBias("model.layers.0.self_attn.q_proj.weight",
                    "model.layers.0.input_layernorm.weight", 64));
            ops.logits(spec.vocabSize());
            return o -> o.linear(x, dense, y);
        }, "biased projection into a bf16 buffer");
        assertRefused(spec, ops -> {
            Tensor x = ops.tensor("x", Precision.FULL, Rows.TOKENS, 64);
            ops.logits(spec.vocabSize());
            return o -> o.softCap(x, 30f);
        }, "soft-capping is not implemented on the CUDA backend");
    }

    /** {@code declare} declares over the ops and returns the forward pass to record. */
    private static void assertRefused(ModelSpec spec, Function<dev.pagoda.engine.model.ops.ModelOps, ModelDefinition> declare,
                                      String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> record(spec, (s, ops) -> declare.apply(ops)));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void theTransformersFixturesRecordOnCuda() {
        // what CudaTransformersParityTest runs on the GPU machine must at least be accepted here
        for (String name : TransformersFixtures.NAMES) {
            try (HfWeightSource weights = HfWeightSource.open(TransformersFixtures.folder(name))) {
                CudaOps ops = new CudaOps(null, null, null, weights, LIMITS, null);
                List<String> labels = labels(ops.record(Architectures.create(weights.spec(), ops)), shape(40, 2, 3, 3));
                assertEquals(handWrittenLlamaSequence(weights.spec().numLayers()), labels, name);
            }
        }
    }

    @Test
    void dynamicRopeBeyondTheTrainedContextIsRefused() {
        ModelSpec dynamic = new ModelSpec(Architecture.LLAMA, 64, 2, 4, 2, 16, 96, 101, 1e-5, 10000,
                new RopeScaling(RopeScaling.Type.DYNAMIC, 2, 0, 1, 4, 32, 1, Double.NaN), 256, false, "float32",
                List.of(1), List.of(2), null, false, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> record(dynamic, Architectures::create));
        assertTrue(e.getMessage().contains("--max-model-len 256"), e.getMessage());
    }
}
