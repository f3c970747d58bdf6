package dev.pagoda.catalog.safetensors;

import dev.pagoda.catalog.ModelFormatException;
import dev.pagoda.catalog.config.GenerationDefaults;
import dev.pagoda.catalog.config.HfConfigReader;
import dev.pagoda.catalog.config.JsonFields;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.catalog.tensor.WeightSource;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The weights of a Hugging Face model folder: {@code config.json} plus either one
 * {@code model.safetensors} or shards listed by {@code model.safetensors.index.json}
 * ({@code weight_map}: tensor name -> shard file). All shards are mapped in one shared arena
 * (tensors may be read from any thread) that {@link #close()} releases. Opening checks that every
 * core weight is present with the shape {@code config.json} implies, so a mismatched checkpoint
 * fails here, naming the tensor, instead of deep inside a forward pass.
 */
public final class HfWeightSource implements WeightSource {

    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";
    private static final long MAX_INDEX_BYTES = 64L << 20;

    private final Path folder;
    private final ModelSpec spec;
    private final GenerationDefaults generationDefaults;
    private final Arena arena;
    private final Map<String, TensorData> tensors;

    private HfWeightSource(Path folder, ModelSpec spec, GenerationDefaults generationDefaults, Arena arena,
                           Map<String, TensorData> tensors) {
        this.folder = folder;
        this.spec = spec;
        this.generationDefaults = generationDefaults;
        this.arena = arena;
        this.tensors = tensors;
    }

    /** Opens {@code folder}; every file problem is a {@link ModelFormatException} naming the file. */
    public static HfWeightSource open(Path folder) {
        ModelSpec spec = HfConfigReader.readFolder(folder);
        GenerationDefaults defaults = HfConfigReader.readGenerationDefaults(folder);
        Arena arena = Arena.ofShared();
        try {
            // transformers' order: a single model.safetensors wins over an index next to it
            Map<String, TensorData> tensors = Files.exists(folder.resolve(SINGLE_FILE)) || !Files.exists(folder.resolve(INDEX_FILE))
                    ? single(folder, arena)
                    : sharded(folder, arena);
            checkShapes(folder, spec, tensors);
            return new HfWeightSource(folder, spec, defaults, arena, Collections.unmodifiableMap(tensors));
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Every core weight is present with the shape config.json implies (extra tensors are fine). */
    private static void checkShapes(Path folder, ModelSpec spec, Map<String, TensorData> tensors) {
        Path config = folder.resolve("config.json");
        ExpectedShapes.of(spec).forEach((name, shape) -> {
            TensorData t = tensors.get(name);
            if (t == null) {
                throw new ModelFormatException(folder, "the weights lack tensor \"" + name + "\" that "
                        + config.getFileName() + " (" + spec.architecture().hfClassName + ") requires");
            }
            if (!Arrays.equals(shape, t.shape())) {
                throw new ModelFormatException(folder, "tensor \"" + name + "\" has shape " + Arrays.toString(t.shape())
                        + " but config.json implies " + Arrays.toString(shape));
            }
        });
    }

    private static Map<String, TensorData> single(Path folder, Arena arena) {
        Path file = folder.resolve(SINGLE_FILE);
        if (!Files.exists(file)) {
            throw new ModelFormatException(folder, "no " + SINGLE_FILE + " or " + INDEX_FILE + " in the model folder");
        }
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (TensorData t : SafetensorsFile.open(file, arena).tensors()) out.put(t.name(), t);
        return out;
    }

    private static Map<String, TensorData> sharded(Path folder, Arena arena) {
        Path index = folder.resolve(INDEX_FILE);
        JsonFields json = JsonFields.readFile(index, MAX_INDEX_BYTES);
        JsonFields weightMap = json.optionalObject("weight_map");
        if (weightMap == null) throw new ModelFormatException(index, "missing \"weight_map\"");
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        Map<String, TensorData> out = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(weightMap.keys());
        for (String name : names) {
            String shardName = weightMap.optionalString(name);
            if (shardName == null) throw new ModelFormatException(index, "weight_map entry \"" + name + "\" has no file");
            SafetensorsFile shard = shards.computeIfAbsent(shardName, s -> openShard(folder, index, s, arena));
            if (!shard.has(name)) {
                throw new ModelFormatException(shard.path(), "tensor \"" + name + "\" listed in " + INDEX_FILE
                        + " is not in this shard");
            }
            out.put(name, shard.tensor(name));
        }
        return out;
    }

    private static SafetensorsFile openShard(Path folder, Path index, String shardName, Arena arena) {
        Path home = folder.toAbsolutePath().normalize();
        Path shard;
        try {
            shard = home.resolve(shardName).normalize();
        } catch (InvalidPathException e) {
            throw new ModelFormatException(index, "shard name \"" + shardName + "\" is not a valid file name");
        }
        // An index must not reach outside its model folder ("../../etc/passwd").
        if (!home.equals(shard.getParent())) {
            throw new ModelFormatException(index, "shard \"" + shardName + "\" is not a file in the model folder");
        }
        if (!Files.exists(shard)) {
            throw new ModelFormatException(index, "shard \"" + shardName + "\" named in weight_map is missing");
        }
        return SafetensorsFile.open(shard, arena);
    }

    public Path folder() {
        return folder;
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    /** {@code generation_config.json} of the folder (empty when absent). */
    public GenerationDefaults generationDefaults() {
        return generationDefaults;
    }

    @Override
    public Set<String> tensorNames() {
        return tensors.keySet();
    }

    @Override
    public TensorData tensor(String name) {
        TensorData t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException(folder + ": no tensor named \"" + name + "\"");
        return t;
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) arena.close();
    }
}
