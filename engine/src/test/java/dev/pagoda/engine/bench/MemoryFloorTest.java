package dev.pagoda.engine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.config.Architecture;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.gguf.GgufWeightSource;
import dev.pagoda.catalog.gguf.HfToGguf;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.WeightSource;
import dev.pagoda.engine.load.DummyWeights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decode step's weight bytes against the sizes of the tensors a real weight source holds:
 * every tensor but an untied embedding (a step gathers only rows of it), summed by byte size.
 */
class MemoryFloorTest {

    /** Untied, q/k/v bias and q/k norms (Qwen3-like); tied with bias (Qwen2); tied plain (Llama). */
    private static final List<ModelSpec> SPECS = List.of(
            ModelSpec.builder(Architecture.QWEN3).hiddenSize(64).numLayers(3).numHeads(4).numKvHeads(2).intermediateSize(96)
                    .vocabSize(50).ropeTheta(1e6).maxPositionEmbeddings(128).attentionBias(true).qkNorm(true).build(),
            ModelSpec.builder(Architecture.QWEN2).hiddenSize(64).numLayers(2).numHeads(4).numKvHeads(2).intermediateSize(96)
                    .vocabSize(70).ropeTheta(1e6).maxPositionEmbeddings(128).tieWordEmbeddings(true).attentionBias(true).build(),
            ModelSpec.builder(Architecture.LLAMA).hiddenSize(96).numLayers(2).numHeads(6).numKvHeads(3).intermediateSize(160)
                    .vocabSize(40).rmsNormEps(1e-5).ropeTheta(1e4).maxPositionEmbeddings(128).tieWordEmbeddings(true).build());

    @TempDir
    Path dir;

    private static long tensorBytesReadByADecodeStep(WeightSource w) {
        boolean untied = w.has("lm_head.weight") || w.has("output.weight");
        long sum = 0;
        for (String name : w.tensorNames()) {
            if (untied && name.equals("model.embed_tokens.weight")) continue;
            sum += w.tensor(name).data().byteSize();
        }
        return sum;
    }

    @Test
    void weightBytesEqualTheSumOfTheTensorsOfDummyF32AndBf16Weights() {
        for (ModelSpec spec : SPECS) {
            for (DType type : new DType[] {DType.F32, DType.BF16}) {
                try (DummyWeights w = new DummyWeights(spec, type, 1)) {
                    long norms = normAndBiasElements(spec) * (Float.BYTES - type.bytesFor(1)); // dummy vectors are in `type` too
                    assertEquals(tensorBytesReadByADecodeStep(w) + norms, MemoryFloor.decodeWeightBytes(spec, type),
                            spec.architecture() + " " + type);
                }
            }
        }
    }

    @Test
    void weightBytesEqualTheSumOfTheTensorsOfAQ8_0Gguf() throws IOException {
        for (ModelSpec spec : SPECS) {
            Path file = dir.resolve(spec.architecture() + ".gguf");
            try (DummyWeights w = new DummyWeights(spec, DType.F32, 2)) {
                HfToGguf.convert(w, Map.of(), new HfToGguf.Options(DType.Q8_0, null), file);
            }
            try (WeightSource gguf = GgufWeightSource.open(file)) {
                assertEquals(tensorBytesReadByADecodeStep(gguf), MemoryFloor.decodeWeightBytes(spec, DType.Q8_0),
                        spec.architecture() + " Q8_0 " + gguf.tensorNames());
            }
        }
    }

    @Test
    void floorIsBytesOverBandwidthAndBadTypesAreNamed() {
        assertEquals(2.0, new MemoryFloor(4_000_000_000L, 2000).millis(), 1e-12);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MemoryFloor.decodeWeightBytes(SPECS.get(2), DType.Q4_K));
        assertTrue(e.getMessage().contains("Q4_K") && e.getMessage().contains("256"), e.getMessage());
        assertTrue(MemoryFloor.measureCopyGBPerSec(1 << 20, 2, 2) > 0);
    }

    /** Elements of the f32 vectors a decode step reads: norms, biases, q/k norms, the final norm. */
    private static long normAndBiasElements(ModelSpec s) {
        long perLayer = 2L * s.hiddenSize() + (s.attentionBias() ? s.qDim() + 2L * s.kvDim() : 0) + (s.qkNorm() ? 2L * s.headDim() : 0);
        return s.numLayers() * perLayer + s.hiddenSize();
    }
}
