package dev.pagoda.catalog.discovery;

import java.nio.file.Path;

/**
 * Something that looked like a model but cannot be used.
 *
 * @param path   the model folder or file
 * @param reason one line saying what is wrong, e.g. "model.safetensors: header length … (truncated?)"
 */
public record DiscoveryProblem(Path path, String reason) {}
