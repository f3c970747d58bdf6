package dev.pagoda.engine.load;

import dev.pagoda.catalog.chat.ChatTemplates;
import dev.pagoda.catalog.config.GenerationDefaults;
import dev.pagoda.catalog.config.HfConfigReader;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.demo.DemoModels;
import dev.pagoda.catalog.gguf.GgufFile;
import dev.pagoda.catalog.gguf.GgufWeightSource;
import dev.pagoda.catalog.hub.HubCache;
import dev.pagoda.catalog.hub.HubRef;
import dev.pagoda.catalog.safetensors.HfWeightSource;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.WeightSource;
import dev.pagoda.catalog.tokenizer.GgufTokenizer;
import dev.pagoda.catalog.tokenizer.Tokenizer;
import dev.pagoda.catalog.tokenizer.TokenizerConfig;
import dev.pagoda.catalog.tokenizer.Tokenizers;
import dev.pagoda.engine.cpu.Parallel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Resolves {@code --model} (with {@code --load-format}) into a {@link LoadedModel}:
 * <ul>
 *   <li>nothing: the demo model Pagoda ships ({@link DemoModels#MAIN}); that name or
 *       {@link DemoModels#DRAFT}, where no file of that name is, picks one of the two;</li>
 *   <li>an HF folder: safetensors, its tokenizer.json and the chat templates of tokenizer_config.json;</li>
 *   <li>a {@code .gguf} file: its tensors, the tokenizer in its metadata and {@code tokenizer.chat_template};</li>
 *   <li>a Hugging Face repo id that is no local path ({@code ORG/NAME[@REVISION][/FILE]}): the snapshot
 *       of the local hub cache ({@link HubCache#locate}), loaded as the folder or file it holds and
 *       served under the repo id, as vLLM does;</li>
 *   <li>with {@code dummy}: a built-in shape name (random weights, no tokenizer) or a folder
 *       (its config.json, random weights, its tokenizer and templates).</li>
 * </ul>
 * Problems are one line naming what was given and what is wrong.
 */
public final class ModelLoader {

    private static final String CONFIG = "config.json";
    private static final String TOKENIZER_JSON = "tokenizer.json";
    private static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    private static final String GGUF_CHAT_TEMPLATE = "tokenizer.chat_template";

    private final Parallel parallel;
    private final HubCache hub;

    /** A loader that finds repo ids in huggingface_hub's own cache ({@link HubCache#atDefaultLocation}). */
    public ModelLoader(Parallel parallel) {
        this(parallel, HubCache.atDefaultLocation());
    }

    /**
     * @param parallel workers that fill dummy weights (billions of values for an 8B shape)
     * @param hub      where repo ids are looked up
     */
    public ModelLoader(Parallel parallel, HubCache hub) {
        this.parallel = parallel;
        this.hub = hub;
    }

    /** {@link #load(String, String, LoadFormat, Function, long)} at the default revision. */
    public LoadedModel load(String model, LoadFormat format, Function<ModelSpec, DType> dummyDtype, long seed) {
        return load(model, null, format, dummyDtype, seed);
    }

    /**
     * @param model      a folder, a .gguf file, a repo id in the hub cache or (with dummy) a built-in shape name
     * @param revision   --revision of a repo id; null for main (or what {@code @REVISION} in {@code model} says)
     * @param format     auto or dummy
     * @param dummyDtype storage of dummy weights (F32, F16, BF16) for a model's config; unused for real weights
     * @param seed       seed of dummy weights
     * @throws IllegalArgumentException with a one-line message when nothing loadable is there
     */
    public LoadedModel load(String model, String revision, LoadFormat format, Function<ModelSpec, DType> dummyDtype, long seed) {
        if (model == null || model.isBlank()) {
            if (format == LoadFormat.DUMMY) throw new IllegalArgumentException("--load-format dummy needs --model (a folder or a built-in shape)");
            return demoModel(DemoModels.MAIN);
        }
        if (format == LoadFormat.DUMMY && BuiltinShapes.has(model)) return builtinShape(model, dummyDtype, seed);
        Path path = pathOf(model);
        if (format == LoadFormat.AUTO && DemoModels.isName(model) && !Files.exists(path)) return demoModel(model);
        if (!Files.exists(path)) {
            Optional<HubRef> ref = HubRef.parse(model);
            if (ref.isPresent()) return fromHub(ref.get().withRevision(revision), format, dummyDtype, seed);
            if (format == LoadFormat.AUTO && BuiltinShapes.has(model)) {
                throw new IllegalArgumentException("'" + model + "' is a built-in shape without weights; add --load-format dummy");
            }
            throw new IllegalArgumentException("no model at " + model + " (neither a folder, a .gguf file nor a Hugging Face "
                    + "repo id ORG/NAME; built-in shapes for --load-format dummy are " + String.join(", ", BuiltinShapes.names()) + ")");
        }
        if (revision != null) {
            throw new IllegalArgumentException("--revision applies to Hugging Face repo ids, and " + model + " is a local path");
        }
        return fromPath(path, model, format, dummyDtype, seed);
    }

    /** A repo id: what its cached snapshot holds, named by the id (without the revision, as vLLM names it). */
    private LoadedModel fromHub(HubRef ref, LoadFormat format, Function<ModelSpec, DType> dummyDtype, long seed) {
        Path located = hub.locate(ref);
        String name = ref.repo() + (ref.file() == null ? "" : "/" + ref.file());
        return renamed(fromPath(located, located.toString(), format, dummyDtype, seed), name);
    }

    /** A folder or a .gguf file; @param model what to report it came from */
    private LoadedModel fromPath(Path path, String model, LoadFormat format, Function<ModelSpec, DType> dummyDtype, long seed) {
        if (Files.isDirectory(path)) {
            if (!Files.isRegularFile(path.resolve(CONFIG))) {
                throw new IllegalArgumentException(model + " is not a model folder: " + CONFIG + " missing");
            }
            return format == LoadFormat.DUMMY ? dummyFolder(path, model, dummyDtype, seed) : hfFolder(path, model);
        }
        if (!path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gguf")) {
            throw new IllegalArgumentException(model + " is not a model: expected a folder with " + CONFIG + " or a .gguf file");
        }
        if (format == LoadFormat.DUMMY) {
            throw new IllegalArgumentException("--load-format dummy takes a model folder or a built-in shape, not the file " + model);
        }
        return ggufFile(path, model);
    }

    private static LoadedModel renamed(LoadedModel m, String name) {
        return new LoadedModel(m.spec(), m.weights(), m.tokenizer(), m.chatTemplates(), m.generationDefaults(), name,
                m.source(), m.weightDtype());
    }

    private LoadedModel builtinShape(String name, Function<ModelSpec, DType> dtypeOf, long seed) {
        ModelSpec spec = BuiltinShapes.byName(name);
        DType dtype = dtypeOf.apply(spec);
        return new LoadedModel(spec, new DummyWeights(spec, dtype, seed, parallel), Optional.empty(), Optional.empty(),
                GenerationDefaults.empty(), name, name, dtype.name());
    }

    private LoadedModel dummyFolder(Path folder, String source, Function<ModelSpec, DType> dtypeOf, long seed) {
        ModelSpec spec = HfConfigReader.readFolder(folder);
        DType dtype = dtypeOf.apply(spec);
        WeightSource weights = new DummyWeights(spec, dtype, seed, parallel);
        return new LoadedModel(spec, weights, folderTokenizer(folder), folderTemplates(folder),
                HfConfigReader.readGenerationDefaults(folder), folderName(folder), source, dtype.name());
    }

    /** The shipped demo model (or its draft), read in place from models/demo. */
    private static LoadedModel demoModel(String name) {
        return hfFolder(DemoModels.MAIN.equals(name) ? DemoModels.main() : DemoModels.draft(), name);
    }

    private static LoadedModel hfFolder(Path folder, String source) {
        HfWeightSource weights = HfWeightSource.open(folder);
        try {
            ModelSpec spec = weights.spec();
            String dtype = weights.tensor("model.embed_tokens.weight").dtype().name();
            return new LoadedModel(spec, weights, folderTokenizer(folder), folderTemplates(folder),
                    weights.generationDefaults(), folderName(folder), source, dtype);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    private static LoadedModel ggufFile(Path file, String source) {
        GgufWeightSource weights = GgufWeightSource.open(file);
        try {
            GgufFile gguf = weights.file();
            Map<String, Object> metadata = gguf.metadata();
            Optional<Tokenizer> tokenizer = metadata.containsKey("tokenizer.ggml.model")
                    ? Optional.of(GgufTokenizer.fromMetadata(metadata, file))
                    : Optional.empty();
            Optional<ChatTemplates> templates = gguf.optString(GGUF_CHAT_TEMPLATE).map(t -> new ChatTemplates(
                    Map.of(ChatTemplates.DEFAULT, ChatTemplates.fromString(t)),
                    tokenizer.flatMap(tk -> tk.config().bosToken()).orElse(null),
                    tokenizer.flatMap(tk -> tk.config().eosToken()).orElse(null)));
            String name = file.getFileName().toString().replaceFirst("(?i)\\.gguf$", "");
            String dtype = weights.tensor("model.layers.0.self_attn.q_proj.weight").dtype().name();
            return new LoadedModel(weights.spec(), weights, tokenizer, templates, GenerationDefaults.empty(), name, source, dtype);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    /** The folder's tokenizer.json, absent when there is none (the engine then works on token ids only). */
    private static Optional<Tokenizer> folderTokenizer(Path folder) {
        return Files.isRegularFile(folder.resolve(TOKENIZER_JSON)) ? Optional.of(Tokenizers.load(folder)) : Optional.empty();
    }

    private static Optional<ChatTemplates> folderTemplates(Path folder) {
        Path config = folder.resolve(TOKENIZER_CONFIG);
        if (!Files.isRegularFile(config)) return Optional.empty();
        // A base model's tokenizer_config.json often has no chat_template: that is not an error here.
        boolean hasTemplate = !TokenizerConfig.read(config).chatTemplates().isEmpty();
        return hasTemplate ? Optional.of(ChatTemplates.fromTokenizerConfig(config)) : Optional.empty();
    }

    private static String folderName(Path folder) {
        Path name = folder.toAbsolutePath().normalize().getFileName();
        return name == null ? folder.toString() : name.toString();
    }

    private static Path pathOf(String model) {
        try {
            return Path.of(model);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("no model at " + model + ": " + e.getReason());
        }
    }
}
