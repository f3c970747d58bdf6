package dev.pagoda.catalog;

import java.nio.file.Path;

/**
 * A model file (config, safetensors, GGUF, tokenizer, template) that cannot be read. The message
 * always names the file and the problem, so a user can act on it without a stack trace.
 */
public class ModelFormatException extends RuntimeException {

    private final Path file;

    public ModelFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public ModelFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The offending file. */
    public Path file() {
        return file;
    }
}
