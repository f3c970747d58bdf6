package dev.pagoda.catalog.gguf;

import dev.pagoda.catalog.ModelFormatException;
import dev.pagoda.catalog.config.Architecture;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.config.RopeScaling;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * GGUF metadata ({@code general.*}, {@code {arch}.*}, {@code tokenizer.ggml.*}) to a
 * {@link ModelSpec}, for the architectures llama.cpp names llama (also Mistral), qwen2 and qwen3.
 *
 * <p>What GGUF cannot say is derived as llama.cpp derives it: the head size defaults to
 * embedding_length / head_count, the KV heads to head_count; tied embeddings mean no
 * {@code output.weight}; attention bias and q/k norm are seen from layer 0's tensors. Float32
 * values are read back as the shortest decimal of the float, so 1e-5 stays 1e-5.
 *
 * <p>Llama-3 RoPE scaling is not in GGUF metadata: llama.cpp stores the per-frequency factors as
 * the tensor {@code rope_freqs.weight} instead. Such files map to {@code ropeScaling == null} and
 * whoever computes RoPE must apply that tensor's factors.
 */
public final class GgufSpecMapper {

    /** llama_ftype values whose tensors are (mostly) one float type. */
    private static String torchDtypeOf(long fileType) {
        return switch ((int) fileType) {
            case 0 -> "float32";
            case 1 -> "float16";
            case 32 -> "bfloat16";
            default -> null; // quantized: no torch dtype
        };
    }

    private GgufSpecMapper() {}

    public static Architecture architecture(GgufFile gguf) {
        String name = gguf.getString("general.architecture");
        return Architecture.fromGgufName(name).orElseThrow(() -> new ModelFormatException(gguf.path(),
                "unsupported general.architecture '" + name + "' (supported: "
                        + Arrays.stream(Architecture.values()).map(a -> a.ggufName).distinct().toList() + ")"));
    }

    public static ModelSpec map(GgufFile gguf) {
        Architecture architecture = architecture(gguf);
        String arch = gguf.getString("general.architecture");
        Keys k = new Keys(gguf, arch);

        int hidden = k.positiveInt("embedding_length");
        int heads = k.positiveInt("attention.head_count");
        int kvHeads = gguf.has(arch + ".attention.head_count_kv") ? k.positiveInt("attention.head_count_kv") : heads;
        int headDim = gguf.has(arch + ".attention.key_length") ? k.positiveInt("attention.key_length") : hidden / heads;
        if (heads % kvHeads != 0) {
            throw new ModelFormatException(gguf.path(), arch + ".attention.head_count " + heads
                    + " is not a multiple of head_count_kv " + kvHeads);
        }
        return ModelSpec.builder(architecture)
                .hiddenSize(hidden)
                .numLayers(k.positiveInt("block_count"))
                .numHeads(heads)
                .numKvHeads(kvHeads)
                .headDim(headDim)
                .intermediateSize(k.positiveInt("feed_forward_length"))
                .vocabSize(vocabSize(gguf, arch))
                .rmsNormEps(asDecimal(gguf.getDouble(arch + ".attention.layer_norm_rms_epsilon")))
                .ropeTheta(asDecimal(gguf.optDouble(arch + ".rope.freq_base").orElse(10000.0)))
                .ropeScaling(ropeScaling(gguf, arch))
                .maxPositionEmbeddings(k.positiveInt("context_length"))
                .tieWordEmbeddings(!gguf.hasTensor("output.weight"))
                .torchDtype(gguf.optLong("general.file_type").map(GgufSpecMapper::torchDtypeOf).orElse(null))
                .bosTokenIds(tokenIds(gguf, "bos"))
                .eosTokenIds(tokenIds(gguf, "eos", "eot", "eom"))
                .attentionBias(gguf.hasTensor("blk.0.attn_q.bias"))
                .qkNorm(gguf.hasTensor("blk.0.attn_q_norm.weight"))
                .build();
    }

    private static int vocabSize(GgufFile gguf, String arch) {
        var embedding = gguf.tensorInfo("token_embd.weight");
        if (embedding.isPresent() && embedding.get().ne().length == 2) {
            return toInt(gguf, "token_embd.weight rows", embedding.get().ne()[1]);
        }
        if (gguf.has("tokenizer.ggml.tokens")) return gguf.getStringList("tokenizer.ggml.tokens").size();
        if (gguf.has(arch + ".vocab_size")) return toInt(gguf, arch + ".vocab_size", gguf.getLong(arch + ".vocab_size"));
        throw new ModelFormatException(gguf.path(), "cannot tell the vocabulary size: no token_embd.weight, "
                + "tokenizer.ggml.tokens or " + arch + ".vocab_size");
    }

    private static RopeScaling ropeScaling(GgufFile gguf, String arch) {
        String prefix = arch + ".rope.scaling.";
        String type = gguf.optString(prefix + "type").orElse("none");
        if (type.equals("none")) return null;
        double factor = asDecimal(gguf.getDouble(prefix + "factor"));
        int original = gguf.has(prefix + "original_context_length")
                ? toInt(gguf, prefix + "original_context_length", gguf.getLong(prefix + "original_context_length"))
                : 0;
        return switch (type) {
            case "linear" -> RopeScalingDefaults.of(RopeScaling.Type.LINEAR, factor, original);
            case "yarn" -> {
                RopeScaling base = RopeScalingDefaults.of(RopeScaling.Type.YARN, factor, original);
                yield new RopeScaling(base.type(), factor, original, base.lowFreqFactor(), base.highFreqFactor(),
                        asDecimal(gguf.optDouble(prefix + "yarn_beta_fast").orElse(base.betaFast())),
                        asDecimal(gguf.optDouble(prefix + "yarn_beta_slow").orElse(base.betaSlow())),
                        gguf.optDouble(prefix + "attn_factor").map(GgufSpecMapper::asDecimal).orElse(base.attentionFactor()));
            }
            default -> throw new ModelFormatException(gguf.path(), "unsupported " + prefix + "type '" + type
                    + "' (supported: none, linear, yarn)");
        };
    }

    private static List<Integer> tokenIds(GgufFile gguf, String... kinds) {
        List<Integer> ids = new ArrayList<>();
        for (String kind : kinds) {
            String key = "tokenizer.ggml." + kind + "_token_id";
            if (gguf.has(key)) {
                int id = toInt(gguf, key, gguf.getLong(key));
                if (!ids.contains(id)) ids.add(id);
            }
        }
        return ids;
    }

    /** A float32 read back as the decimal it was written from (1e-5f -> 1e-5, not 9.99999974e-6). */
    static double asDecimal(double storedFloat) {
        float f = (float) storedFloat;
        return f == storedFloat ? Double.parseDouble(Float.toString(f)) : storedFloat;
    }

    private static int toInt(GgufFile gguf, String what, long value) {
        if (value < 0 || value > Integer.MAX_VALUE) {
            throw new ModelFormatException(gguf.path(), what + " is " + Long.toUnsignedString(value)
                    + ", outside 0.." + Integer.MAX_VALUE);
        }
        return (int) value;
    }

    private record Keys(GgufFile gguf, String arch) {
        int positiveInt(String suffix) {
            String key = arch + "." + suffix;
            int v = toInt(gguf, key, gguf.getLong(key));
            if (v == 0) throw new ModelFormatException(gguf.path(), key + " is 0");
            return v;
        }
    }
}
