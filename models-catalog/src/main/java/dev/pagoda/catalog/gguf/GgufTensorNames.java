package dev.pagoda.catalog.gguf;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tensor names between llama.cpp's GGUF convention and Hugging Face's (gguf-py's
 * {@code tensor_mapping.py} for the Llama family). {@code rope_freqs.weight} (Llama-3 RoPE
 * scaling factors, which HF checkpoints compute instead of storing) keeps its GGUF name.
 */
public final class GgufTensorNames {

    private static final Map<String, String> GLOBAL = Map.of(
            "token_embd", "model.embed_tokens",
            "output_norm", "model.norm",
            "output", "lm_head",
            "rope_freqs", "rope_freqs");

    private static final Map<String, String> PER_LAYER = Map.ofEntries(
            Map.entry("attn_norm", "input_layernorm"),
            Map.entry("attn_q", "self_attn.q_proj"),
            Map.entry("attn_k", "self_attn.k_proj"),
            Map.entry("attn_v", "self_attn.v_proj"),
            Map.entry("attn_output", "self_attn.o_proj"),
            Map.entry("attn_q_norm", "self_attn.q_norm"),
            Map.entry("attn_k_norm", "self_attn.k_norm"),
            Map.entry("ffn_norm", "post_attention_layernorm"),
            Map.entry("ffn_gate", "mlp.gate_proj"),
            Map.entry("ffn_up", "mlp.up_proj"),
            Map.entry("ffn_down", "mlp.down_proj"));

    private static final Pattern GGUF_LAYER = Pattern.compile("blk\\.(\\d+)\\.(\\w+)\\.(weight|bias)");
    private static final Pattern GGUF_GLOBAL = Pattern.compile("(\\w+)\\.(weight|bias)");
    private static final Pattern HF_LAYER = Pattern.compile("model\\.layers\\.(\\d+)\\.([\\w.]+)\\.(weight|bias)");
    private static final Pattern HF_GLOBAL = Pattern.compile("([\\w.]+)\\.(weight|bias)");

    private GgufTensorNames() {}

    /** The HF name of a GGUF tensor, or empty when the name is not part of the mapping. */
    public static Optional<String> toHf(String ggufName) {
        Matcher m = GGUF_LAYER.matcher(ggufName);
        if (m.matches()) {
            String part = PER_LAYER.get(m.group(2));
            return part == null ? Optional.empty()
                    : Optional.of("model.layers." + m.group(1) + "." + part + "." + m.group(3));
        }
        m = GGUF_GLOBAL.matcher(ggufName);
        if (m.matches() && GLOBAL.containsKey(m.group(1))) {
            return Optional.of(GLOBAL.get(m.group(1)) + "." + m.group(2));
        }
        return Optional.empty();
    }

    /** The GGUF name of an HF tensor, or empty when the name is not part of the mapping. */
    public static Optional<String> toGguf(String hfName) {
        Matcher m = HF_LAYER.matcher(hfName);
        if (m.matches()) {
            return PER_LAYER.entrySet().stream().filter(e -> e.getValue().equals(m.group(2))).findFirst()
                    .map(e -> "blk." + m.group(1) + "." + e.getKey() + "." + m.group(3));
        }
        Matcher g = HF_GLOBAL.matcher(hfName);
        if (g.matches()) {
            return GLOBAL.entrySet().stream().filter(e -> e.getValue().equals(g.group(1))).findFirst()
                    .map(e -> e.getKey() + "." + g.group(2));
        }
        return Optional.empty();
    }
}
