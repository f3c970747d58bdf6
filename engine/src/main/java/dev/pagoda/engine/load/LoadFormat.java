package dev.pagoda.engine.load;

import java.util.Locale;

/** vLLM's {@code --load-format}: read the weights the model names, or make random ones of its shape. */
public enum LoadFormat {
    /** Safetensors in an HF folder or a .gguf file, whichever {@code --model} names. */
    AUTO,
    /** Random weights in place: a built-in shape name, or a folder whose config (and tokenizer) is used. */
    DUMMY;

    /** @throws IllegalArgumentException naming the flag and the accepted values */
    public static LoadFormat parse(String value) {
        for (LoadFormat f : values()) {
            if (f.name().equalsIgnoreCase(value)) return f;
        }
        throw new IllegalArgumentException("--load-format must be auto or dummy, got '" + value + "'");
    }

    public String flagValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
