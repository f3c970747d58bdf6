package dev.pagoda.catalog.tokenizer;

import dev.pagoda.catalog.ModelFormatException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds and loads the tokenizer of an HF model folder. */
public final class Tokenizers {

    private Tokenizers() {}

    /**
     * The tokenizer of {@code modelDir}: its tokenizer.json run by the HF library, configured by its
     * tokenizer_config.json where present.
     */
    public static HfTokenizer load(Path modelDir) {
        if (!Files.isDirectory(modelDir)) throw new ModelFormatException(modelDir, "model folder does not exist");
        Path json = modelDir.resolve("tokenizer.json");
        if (!Files.isRegularFile(json)) {
            throw new ModelFormatException(json, "missing: the model folder has no tokenizer.json"
                    + (Files.exists(modelDir.resolve("tokenizer.model")) ? " (only a SentencePiece tokenizer.model, which is not supported)" : ""));
        }
        Path configFile = modelDir.resolve("tokenizer_config.json");
        TokenizerConfig config = Files.isRegularFile(configFile) ? TokenizerConfig.read(configFile) : TokenizerConfig.empty();
        return HfTokenizer.load(json, config);
    }
}
