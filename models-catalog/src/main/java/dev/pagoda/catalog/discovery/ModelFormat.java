package dev.pagoda.catalog.discovery;

/** How a discovered model is stored on disk. */
public enum ModelFormat {
    /** A Hugging Face folder: config.json plus model.safetensors or shards listed by model.safetensors.index.json. */
    HF_SAFETENSORS,
    /** One llama.cpp GGUF file. */
    GGUF
}
