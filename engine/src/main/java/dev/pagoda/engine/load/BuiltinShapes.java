package dev.pagoda.engine.load;

import dev.pagoda.catalog.config.Architecture;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.config.RopeScaling;
import java.util.List;
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
    public static final ModelSpec LLAMA3_8B = new ModelSpec(Architecture.LLAMA, 4096, 32, 32, 8, 128, 14336,
            128256, 1e-5, 500000, null, 8192, false, "bfloat16", List.of(128000), List.of(128001), null, false, false);

    /** meta-llama/Llama-3.2-1B: tied embeddings, llama3 rope scaling. */
    public static final ModelSpec LLAMA3_2_1B = new ModelSpec(Architecture.LLAMA, 2048, 16, 32, 8, 64, 8192,
            128256, 1e-5, 500000, new RopeScaling(RopeScaling.Type.LLAMA3, 32, 8192, 1, 4, 32, 1, Double.NaN),
            131072, true, "bfloat16", List.of(128000), List.of(128001), null, false, false);

    /** Qwen/Qwen2.5-0.5B: tied embeddings, q/k/v bias. */
    public static final ModelSpec QWEN2_5_0_5B = new ModelSpec(Architecture.QWEN2, 896, 24, 14, 2, 64, 4864,
            151936, 1e-6, 1000000, null, 32768, true, "bfloat16", List.of(151643), List.of(151643), null, true, false);

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
