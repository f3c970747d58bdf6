package dev.pagoda.catalog.discovery;

import dev.pagoda.catalog.config.Architecture;
import java.nio.file.Path;

/**
 * A model found on disk, described from its headers only (no tensor data is read).
 *
 * @param name           "ORG/NAME" for an HF hub cache entry, otherwise the folder name or the
 *                       GGUF file name without ".gguf" (hub GGUFs: "ORG/NAME/FILE")
 * @param path           the model folder (an HF snapshot folder for hub entries) or the .gguf file
 * @param format         folder of safetensors or GGUF file
 * @param architecture   model family (a Mistral GGUF says "llama" and is reported as LLAMA)
 * @param parameterCount HF: {@code ModelSpec.parameterCount()}; GGUF: the element counts of its
 *                       tensors, without {@code rope_freqs.weight} (RoPE factors, not weights)
 * @param dtype          HF: the safetensors dtype holding most elements (e.g. BF16); GGUF: the
 *                       {@code general.file_type} name (Q4_K_M, Q8_0, F16…) or, without one, the
 *                       GGML type holding most elements
 * @param sizeBytes      bytes of all weight files (every shard; the GGUF file)
 * @param contextLength  max_position_embeddings / {arch}.context_length
 */
public record DiscoveredModel(
        String name,
        Path path,
        ModelFormat format,
        Architecture architecture,
        long parameterCount,
        String dtype,
        long sizeBytes,
        int contextLength) {}
