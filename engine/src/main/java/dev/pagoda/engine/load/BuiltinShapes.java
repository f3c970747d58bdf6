package dev.pagoda.engine.load;

import dev.pagoda.catalog.config.Architecture;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.config.RopeScaling;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Named model shapes for {@code --load-format dummy}: benchmarks run a real architecture's
 * shape with random weights and no files. Values are copied from each model's HF
 * {@code config.json}.
 */
public final class BuiltinShapes {

    /** meta-llama/Meta-Llama-3-8B. */
    public static final ModelSpec LLAMA3_8B = ModelSpec.builder(Architecture.LLAMA)
            .hiddenSize(4096).numLayers(32).numHeads(32).numKvHeads(8).intermediateSize(14336).vocabSize(128256)
            .rmsNormEps(1e-5).ropeTheta(500000).maxPositionEmbeddings(8192).torchDtype("bfloat16")
            .bosTokenIds(128000).eosTokenIds(128001)
            .build();

    /** meta-llama/Llama-3.2-1B: tied embeddings, llama3 rope scaling. */
    public static final ModelSpec LLAMA3_2_1B = ModelSpec.builder(Architecture.LLAMA)
            .hiddenSize(2048).numLayers(16).numHeads(32).numKvHeads(8).intermediateSize(8192).vocabSize(128256)
            .rmsNormEps(1e-5).ropeTheta(500000).ropeScaling(new RopeScaling(RopeScaling.Type.LLAMA3, 32, 8192, 1, 4, 32, 1, Double.NaN))
            .maxPositionEmbeddings(131072).tieWordEmbeddings(true).torchDtype("bfloat16")
            .bosTokenIds(128000).eosTokenIds(128001)
            .build();

    /** Qwen/Qwen2.5-0.5B: tied embeddings, q/k/v bias. */
    public static final ModelSpec QWEN2_5_0_5B = ModelSpec.builder(Architecture.QWEN2)
            .hiddenSize(896).numLayers(24).numHeads(14).numKvHeads(2).intermediateSize(4864).vocabSize(151936)
            .rmsNormEps(1e-6).ropeTheta(1000000).maxPositionEmbeddings(32768).tieWordEmbeddings(true).torchDtype("bfloat16")
            .bosTokenIds(151643).eosTokenIds(151643).attentionBias(true)
            .build();

    private static final Map<String, ModelSpec> BY_NAME = new TreeMap<>(Map.of(
            "llama3-8b", LLAMA3_8B,
            "llama3.2-1b", LLAMA3_2_1B,
            "qwen2.5-0.5b", QWEN2_5_0_5B));

    private BuiltinShapes() {}

    public static Set<String> names() {
        return BY_NAME.keySet();
    }

    public static boolean has(String name) {
        return BY_NAME.containsKey(name);
    }

    /** @throws IllegalArgumentException listing the known names when {@code name} is not one */
    public static ModelSpec byName(String name) {
        ModelSpec spec = BY_NAME.get(name);
        if (spec == null) {
            throw new IllegalArgumentException("unknown built-in model shape '" + name + "'; known shapes are "
                    + String.join(", ", BY_NAME.keySet()));
        }
        return spec;
    }
}
