package dev.pagoda.catalog.config;

import dev.pagoda.catalog.ModelFormatException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a Hugging Face {@code config.json} into a {@link ModelSpec}, and
 * {@code generation_config.json} into {@link GenerationDefaults}.
 *
 * <p>Both config generations are understood: transformers 4.x writes {@code rope_theta},
 * {@code rope_scaling} and {@code torch_dtype}; transformers 5.x writes {@code rope_parameters}
 * (holding {@code rope_theta} and the scaling, with {@code rope_type: "default"} for none) and
 * {@code dtype}. Where a key is absent the default of the transformers config class applies, so
 * a config means here what it means to transformers.
 */
public final class HfConfigReader {

    /** Real configs are a few KB; anything this big is not a config. */
    private static final long MAX_CONFIG_BYTES = 16L << 20;

    private HfConfigReader() {}

    /** Reads {@code config.json} in {@code modelFolder}. */
    public static ModelSpec readFolder(Path modelFolder) {
        return read(modelFolder.resolve("config.json"));
    }

    /** Reads one {@code config.json} file. */
    public static ModelSpec read(Path configJson) {
        return toSpec(JsonFields.readFile(configJson, MAX_CONFIG_BYTES));
    }

    /**
     * Reads {@code generation_config.json} in {@code modelFolder}; a folder without one gives
     * {@link GenerationDefaults#empty()}.
     */
    public static GenerationDefaults readGenerationDefaults(Path modelFolder) {
        Path file = modelFolder.resolve("generation_config.json");
        if (!Files.exists(file)) return GenerationDefaults.empty();
        JsonFields g = JsonFields.readFile(file, MAX_CONFIG_BYTES);
        return new GenerationDefaults(
                g.optionalDouble("temperature"),
                g.optionalDouble("top_p"),
                g.optionalInt("top_k"),
                g.optionalDouble("repetition_penalty"),
                g.optionalInt("max_new_tokens"),
                g.optionalBoolean("do_sample"),
                g.intOrIntList("bos_token_id"),
                g.intOrIntList("eos_token_id"));
    }

    static ModelSpec toSpec(JsonFields c) {
        Path file = c.file();
        Architecture arch = architecture(c);

        int hidden = c.requiredPositiveInt("hidden_size");
        int layers = c.requiredPositiveInt("num_hidden_layers");
        int heads = c.requiredPositiveInt("num_attention_heads");
        int kvHeads = c.has("num_key_value_heads") ? c.requiredPositiveInt("num_key_value_heads") : heads;
        if (heads % kvHeads != 0) {
            throw new ModelFormatException(file, "num_attention_heads (" + heads
                    + ") must be a multiple of num_key_value_heads (" + kvHeads + ")");
        }
        int headDim = headDim(c, arch, hidden, heads);
        try {
            Math.multiplyExact(heads, headDim);
        } catch (ArithmeticException e) {
            throw new ModelFormatException(file, "num_attention_heads × head_dim overflows: " + heads + " × " + headDim);
        }
        int intermediate = c.requiredPositiveInt("intermediate_size");
        int vocab = c.requiredPositiveInt("vocab_size");

        double eps = positive(c, "rms_norm_eps", 1e-6);
        int maxPositions = c.has("max_position_embeddings")
                ? c.requiredPositiveInt("max_position_embeddings")
                : defaultMaxPositions(arch);

        // transformers 5 nests theta and scaling in rope_parameters; 4.x keeps them top level.
        JsonFields ropeParameters = c.optionalObject("rope_parameters");
        double ropeTheta;
        RopeScaling scaling;
        if (ropeParameters != null) {
            ropeTheta = positive(ropeParameters, "rope_theta", c.has("rope_theta") ? c.requiredDouble("rope_theta") : 10000.0);
            scaling = ropeScaling(ropeParameters, maxPositions);
        } else {
            ropeTheta = positive(c, "rope_theta", 10000.0);
            JsonFields legacy = c.optionalObject("rope_scaling");
            scaling = legacy == null ? null : ropeScaling(legacy, maxPositions);
        }

        boolean tied = Boolean.TRUE.equals(c.optionalBoolean("tie_word_embeddings"));
        String dtype = c.has("dtype") ? c.optionalString("dtype") : c.optionalString("torch_dtype");

        return ModelSpec.builder(arch)
                .hiddenSize(hidden).numLayers(layers).numHeads(heads).numKvHeads(kvHeads).headDim(headDim)
                .intermediateSize(intermediate).vocabSize(vocab).rmsNormEps(eps)
                .ropeTheta(ropeTheta).ropeScaling(scaling).maxPositionEmbeddings(maxPositions)
                .tieWordEmbeddings(tied).torchDtype(dtype)
                .bosTokenIds(c.intOrIntList("bos_token_id")).eosTokenIds(c.intOrIntList("eos_token_id"))
                .slidingWindow(slidingWindow(c, arch)).attentionBias(attentionBias(c, arch)).qkNorm(arch == Architecture.QWEN3)
                .build();
    }

    private static Architecture architecture(JsonFields c) {
        var node = c.node().get("architectures");
        if (node == null || !node.isArray() || node.isEmpty() || !node.get(0).isTextual()) {
            throw new ModelFormatException(c.file(),
                    "\"architectures\" must be a non-empty list of class names; supported are "
                            + String.join(", ", Architecture.supportedHfClassNames()));
        }
        String name = node.get(0).asText();
        return Architecture.fromHfClassName(name).orElseThrow(() -> new ModelFormatException(c.file(),
                "unsupported architecture " + name + "; supported are "
                        + String.join(", ", Architecture.supportedHfClassNames())));
    }

    private static int headDim(JsonFields c, Architecture arch, int hidden, int heads) {
        if (c.has("head_dim")) return c.requiredPositiveInt("head_dim");
        // Qwen3Config's own default is 128 (not hidden/heads); the others derive it.
        if (arch == Architecture.QWEN3) return 128;
        if (hidden % heads != 0) {
            throw new ModelFormatException(c.file(), "hidden_size (" + hidden
                    + ") is not a multiple of num_attention_heads (" + heads + ") and head_dim is not given");
        }
        return hidden / heads;
    }

    /** Defaults of the transformers config classes (LlamaConfig 2048, MistralConfig 4096×32, Qwen 32768). */
    private static int defaultMaxPositions(Architecture arch) {
        return switch (arch) {
            case LLAMA -> 2048;
            case MISTRAL -> 4096 * 32;
            case QWEN2, QWEN3 -> 32768;
        };
    }

    private static Integer slidingWindow(JsonFields c, Architecture arch) {
        return switch (arch) {
            case LLAMA -> null;
            case MISTRAL -> positiveOrNull(c, "sliding_window");
            // Qwen configs always carry sliding_window, but it only applies when switched on.
            case QWEN2, QWEN3 -> Boolean.TRUE.equals(c.optionalBoolean("use_sliding_window"))
                    ? positiveOrNull(c, "sliding_window") : null;
        };
    }

    private static boolean attentionBias(JsonFields c, Architecture arch) {
        return switch (arch) {
            case QWEN2 -> true; // Qwen2Attention hard-codes bias=True on q/k/v
            case LLAMA, QWEN3 -> Boolean.TRUE.equals(c.optionalBoolean("attention_bias"));
            case MISTRAL -> false;
        };
    }

    /** Parses a {@code rope_scaling} object or a transformers-5 {@code rope_parameters} object. */
    private static RopeScaling ropeScaling(JsonFields r, int maxPositions) {
        String type = r.has("rope_type") ? r.optionalString("rope_type") : r.optionalString("type");
        if (type == null || type.equals("default")) return null;
        return switch (type) {
            case "linear" -> new RopeScaling(RopeScaling.Type.LINEAR, factor(r), maxPositions, 1, 4, 32, 1, Double.NaN);
            case "dynamic" -> new RopeScaling(RopeScaling.Type.DYNAMIC, factor(r),
                    originalMax(r, maxPositions), 1, 4, 32, 1, Double.NaN);
            case "llama3" -> new RopeScaling(RopeScaling.Type.LLAMA3, factor(r),
                    r.requiredPositiveInt("original_max_position_embeddings"),
                    r.requiredDouble("low_freq_factor"), r.requiredDouble("high_freq_factor"), 32, 1, Double.NaN);
            case "yarn" -> {
                Double attention = r.optionalDouble("attention_factor");
                yield new RopeScaling(RopeScaling.Type.YARN, factor(r), originalMax(r, maxPositions), 1, 4,
                        optionalOr(r, "beta_fast", 32), optionalOr(r, "beta_slow", 1),
                        attention == null ? Double.NaN : attention);
            }
            default -> throw new ModelFormatException(r.file(), "unsupported rope scaling type \"" + type
                    + "\"; supported are linear, dynamic, llama3, yarn");
        };
    }

    private static double factor(JsonFields r) {
        double f = r.requiredDouble("factor");
        if (f <= 0) throw new ModelFormatException(r.file(), "rope scaling factor must be positive, got " + f);
        return f;
    }

    private static int originalMax(JsonFields r, int maxPositions) {
        return r.has("original_max_position_embeddings")
                ? r.requiredPositiveInt("original_max_position_embeddings") : maxPositions;
    }

    private static double optionalOr(JsonFields r, String key, double fallback) {
        Double v = r.optionalDouble(key);
        return v == null ? fallback : v;
    }

    private static double positive(JsonFields c, String key, double fallback) {
        double v = optionalOr(c, key, fallback);
        if (!(v > 0)) throw new ModelFormatException(c.file(), "\"" + key + "\" must be positive, got " + v);
        return v;
    }

    private static Integer positiveOrNull(JsonFields c, String key) {
        return c.has(key) ? c.requiredPositiveInt(key) : null;
    }
}
