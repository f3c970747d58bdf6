package dev.pagoda.catalog.discovery;

import dev.pagoda.catalog.ModelFormatException;
import dev.pagoda.catalog.config.JsonFields;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.safetensors.HfWeightSource;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Describes an HF model folder from config.json and the safetensors headers. Opening the weights
 * maps the files but touches only their headers, and validates them as loading would (every shard
 * present, every core tensor with the shape config.json implies), so a folder listed as a model
 * is one the engine can open.
 */
final class HfFolderInspector {

    private static final long MAX_INDEX_BYTES = 64L << 20;

    private HfFolderInspector() {}

    /** A folder's entries hold config.json next to weights in any form, including ones Pagoda cannot read (reported, not ignored). */
    static boolean looksLikeModel(List<Path> children) {
        boolean config = false, weights = false;
        for (Path child : children) {
            String name = child.getFileName().toString();
            if (name.equals("config.json")) config = true;
            if (name.endsWith(".safetensors") || name.equals(HfWeightSource.INDEX_FILE) || isPytorchBin(name)) weights = true;
        }
        return config && weights;
    }

    static DiscoveredModel inspect(Path folder, String name) throws IOException {
        List<Path> weightFiles = weightFiles(folder);
        ModelSpec spec;
        DType dtype;
        try (HfWeightSource weights = HfWeightSource.open(folder)) {
            spec = weights.spec();
            dtype = dominantDType(weights);
        }
        long size = 0;
        for (Path f : weightFiles) size += Files.size(f);
        return new DiscoveredModel(name, folder, ModelFormat.HF_SAFETENSORS, spec.architecture(),
                spec.parameterCount(), dtype.name(), size, spec.maxPositionEmbeddings());
    }

    /** The files HfWeightSource reads: model.safetensors, else every shard the index names. */
    private static List<Path> weightFiles(Path folder) throws IOException {
        Path single = folder.resolve(HfWeightSource.SINGLE_FILE);
        if (Files.exists(single)) return List.of(single);
        Path index = folder.resolve(HfWeightSource.INDEX_FILE);
        if (!Files.exists(index)) {
            boolean pytorch;
            try (var files = Files.list(folder)) {
                pytorch = files.anyMatch(f -> isPytorchBin(f.getFileName().toString()));
            }
            throw new ModelFormatException(folder, pytorch
                    ? "only PyTorch .bin weights, which Pagoda does not read (convert them to safetensors)"
                    : "no " + HfWeightSource.SINGLE_FILE + " or " + HfWeightSource.INDEX_FILE);
        }
        JsonFields weightMap = JsonFields.readFile(index, MAX_INDEX_BYTES).optionalObject("weight_map");
        if (weightMap == null) throw new ModelFormatException(index, "missing \"weight_map\"");
        Set<Path> shards = new LinkedHashSet<>();
        for (String tensor : weightMap.keys()) {
            String shard = weightMap.optionalString(tensor);
            if (shard != null) shards.add(folder.resolve(shard)); // HfWeightSource checks each stays inside the folder
        }
        return List.copyOf(shards);
    }

    /** The stored type holding the most elements: what "this checkpoint is BF16" means in practice. */
    private static DType dominantDType(HfWeightSource weights) {
        Map<DType, Long> elements = new EnumMap<>(DType.class);
        for (String name : weights.tensorNames()) {
            TensorData t = weights.tensor(name);
            elements.merge(t.dtype(), t.elementCount(), Long::sum);
        }
        return elements.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow(() ->
                new ModelFormatException(weights.folder(), "the weights hold no tensors")).getKey();
    }

    private static boolean isPytorchBin(String name) {
        return name.startsWith("pytorch_model") && name.endsWith(".bin");
    }
}
