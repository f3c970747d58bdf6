package dev.pagoda.catalog.config;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The model families Pagoda runs. All are decoder-only Llama-shaped transformers (RMSNorm, RoPE,
 * SwiGLU MLP, grouped-query attention); they differ only in the switches {@link ModelSpec} carries
 * (attention bias, q/k norm, tied embeddings, rope scaling).
 */
public enum Architecture {
    LLAMA("LlamaForCausalLM", "llama", "llama"),
    MISTRAL("MistralForCausalLM", "mistral", "llama"),
    QWEN2("Qwen2ForCausalLM", "qwen2", "qwen2"),
    QWEN3("Qwen3ForCausalLM", "qwen3", "qwen3");

    /** The {@code architectures[0]} value in an HF {@code config.json}. */
    public final String hfClassName;
    /** The {@code model_type} value in an HF {@code config.json}. */
    public final String hfModelType;
    /** The {@code general.architecture} value in a GGUF file (Mistral GGUFs say "llama"). */
    public final String ggufName;

    Architecture(String hfClassName, String hfModelType, String ggufName) {
        this.hfClassName = hfClassName;
        this.hfModelType = hfModelType;
        this.ggufName = ggufName;
    }

    public static Optional<Architecture> fromHfClassName(String name) {
        return Arrays.stream(values()).filter(a -> a.hfClassName.equals(name)).findFirst();
    }

    public static Optional<Architecture> fromGgufName(String name) {
        return Arrays.stream(values()).filter(a -> a.ggufName.equals(name)).findFirst();
    }

    public static List<String> supportedHfClassNames() {
        return Arrays.stream(values()).map(a -> a.hfClassName).toList();
    }
}
