package dev.pagoda.engine.load;

import dev.pagoda.catalog.ModelFormatException;
import dev.pagoda.catalog.config.GenerationDefaults;
import dev.pagoda.catalog.config.HfConfigReader;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * vLLM's {@code --generation-config}: where the default sampling parameters come from.
 * <ul>
 *   <li>{@code auto}: the model's {@code generation_config.json} (temperature, top_p, top_k,
 *       repetition_penalty, max_new_tokens become the defaults of requests that leave them out);</li>
 *   <li>{@code vllm}: none of it — the OpenAI defaults. Its eos ids still end generation, as in
 *       vLLM, which reads them whatever this flag says;</li>
 *   <li>a folder: the {@code generation_config.json} in it, eos ids included.</li>
 * </ul>
 */
public final class GenerationConfigFlag {

    public static final String AUTO = "auto";
    public static final String VLLM = "vllm";
    private static final String FILE = "generation_config.json";

    private GenerationConfigFlag() {}

    /**
     * {@code model} with the generation defaults {@code flag} names.
     *
     * @throws IllegalArgumentException when the folder holds no readable generation_config.json
     */
    public static LoadedModel apply(String flag, LoadedModel model) {
        return switch (flag) {
            case AUTO -> model;
            case VLLM -> with(model, new GenerationDefaults(null, null, null, null, null, null,
                    model.generationDefaults().bosTokenIds(), model.generationDefaults().eosTokenIds()));
            default -> with(model, fromFolder(flag));
        };
    }

    private static GenerationDefaults fromFolder(String flag) {
        Path folder;
        try {
            folder = Path.of(flag);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("--generation-config must be auto, vllm or a folder, got '" + flag + "'");
        }
        if (!Files.isRegularFile(folder.resolve(FILE))) {
            throw new IllegalArgumentException("--generation-config " + flag + ": no " + FILE + " there (auto, vllm or a folder"
                    + " holding one)");
        }
        try {
            return HfConfigReader.readGenerationDefaults(folder);
        } catch (ModelFormatException e) {
            throw new IllegalArgumentException("--generation-config " + flag + ": " + e.getMessage(), e);
        }
    }

    private static LoadedModel with(LoadedModel m, GenerationDefaults defaults) {
        return new LoadedModel(m.spec(), m.weights(), m.tokenizer(), m.chatTemplates(), defaults, m.name(), m.source(),
                m.weightDtype());
    }
}
