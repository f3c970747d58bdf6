package dev.pagoda.catalog.safetensors;

import dev.pagoda.catalog.config.ModelSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shapes a checkpoint must have for its {@link ModelSpec}, by HF tensor name: the weights
 * every Llama-family model carries (biases and other optional extras are left to the engine).
 * Checking them when a folder opens turns a config/weights mismatch into one clear error instead
 * of an index error deep inside a forward pass.
 */
final class ExpectedShapes {

    private ExpectedShapes() {}

    static Map<String, long[]> of(ModelSpec s) {
        long d = s.hiddenSize(), q = s.qDim(), kv = s.kvDim(), ff = s.intermediateSize(), vocab = s.vocabSize();
        Map<String, long[]> out = new LinkedHashMap<>();
        out.put("model.embed_tokens.weight", new long[] {vocab, d});
        for (int l = 0; l < s.numLayers(); l++) {
            String p = "model.layers." + l + ".";
            out.put(p + "input_layernorm.weight", new long[] {d});
            out.put(p + "self_attn.q_proj.weight", new long[] {q, d});
            out.put(p + "self_attn.k_proj.weight", new long[] {kv, d});
            out.put(p + "self_attn.v_proj.weight", new long[] {kv, d});
            out.put(p + "self_attn.o_proj.weight", new long[] {d, q});
            if (s.qkNorm()) {
                out.put(p + "self_attn.q_norm.weight", new long[] {s.headDim()});
                out.put(p + "self_attn.k_norm.weight", new long[] {s.headDim()});
            }
            out.put(p + "post_attention_layernorm.weight", new long[] {d});
            out.put(p + "mlp.gate_proj.weight", new long[] {ff, d});
            out.put(p + "mlp.up_proj.weight", new long[] {ff, d});
            out.put(p + "mlp.down_proj.weight", new long[] {d, ff});
        }
        out.put("model.norm.weight", new long[] {d});
        if (!s.tieWordEmbeddings()) out.put("lm_head.weight", new long[] {vocab, d});
        return out;
    }
}
