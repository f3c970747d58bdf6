package dev.pagoda.catalog.discovery;

import dev.pagoda.catalog.ModelFormatException;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.gguf.GgufFile;
import dev.pagoda.catalog.gguf.GgufSpecMapper;
import dev.pagoda.catalog.gguf.GgufTensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Describes a GGUF file from its header (metadata and tensor table; the mapping's data pages are
 * never touched). A model split by {@code llama-gguf-split} ({@code NAME-00001-of-00003.gguf}) is
 * one model: its first part describes it, with the tensors and bytes of all parts; later parts
 * are skipped.
 */
final class GgufInspector {

    /** llama.cpp's llama_split_path format "%s-%05d-of-%05d.gguf". */
    private static final Pattern SPLIT_NAME = Pattern.compile("(.+)-(\\d{5})-of-(\\d{5})\\.gguf", Pattern.CASE_INSENSITIVE);

    /** Per-frequency RoPE factors llama.cpp stores as a tensor: not a model parameter. */
    private static final String ROPE_FACTORS = "rope_freqs.weight";

    private GgufInspector() {}

    static boolean isGguf(Path file) {
        return file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".gguf");
    }

    /** The name a GGUF gets when nothing else names it: the file name without ".gguf" or the split suffix. */
    static String baseName(Path file) {
        String name = file.getFileName().toString();
        Matcher split = SPLIT_NAME.matcher(name);
        return split.matches() ? split.group(1) : name.substring(0, name.length() - ".gguf".length());
    }

    /** @return empty for the second and later parts of a split model */
    static Optional<DiscoveredModel> inspect(Path file, String name) throws IOException {
        try (GgufFile gguf = GgufFile.open(file)) {
            long parts = gguf.optLong("split.count").orElse(1L);
            if (gguf.optLong("split.no").orElse(0L) != 0) return Optional.empty();
            ModelSpec spec = GgufSpecMapper.map(gguf);
            Totals totals = new Totals();
            totals.add(gguf);
            for (int part = 2; part <= parts; part++) {
                Path sibling = splitPart(file, part, parts);
                try (GgufFile other = GgufFile.open(sibling)) {
                    totals.add(other);
                }
            }
            String dtype = gguf.optLong("general.file_type").flatMap(LlamaFileType::name).orElseGet(totals::dominantType);
            return Optional.of(new DiscoveredModel(name, file, ModelFormat.GGUF, spec.architecture(),
                    totals.parameters, dtype, totals.bytes, spec.maxPositionEmbeddings()));
        }
    }

    private static Path splitPart(Path first, int part, long parts) {
        Matcher split = SPLIT_NAME.matcher(first.getFileName().toString());
        if (!split.matches()) {
            throw new ModelFormatException(first, "split.count is " + parts + " but the file name is not NAME-00001-of-"
                    + String.format("%05d", parts) + ".gguf, so the other parts cannot be found");
        }
        Path sibling = first.resolveSibling(String.format("%s-%05d-of-%05d.gguf", split.group(1), part, parts));
        if (!Files.isRegularFile(sibling)) {
            throw new ModelFormatException(first, "split part " + sibling.getFileName() + " is missing");
        }
        return sibling;
    }

    /** Parameters, bytes and elements per GGML type over all parts. */
    private static final class Totals {
        long parameters;
        long bytes;
        final Map<String, Long> elementsByType = new HashMap<>();

        void add(GgufFile gguf) throws IOException {
            bytes += Files.size(gguf.path());
            for (GgufTensorInfo t : gguf.tensorInfos()) {
                if (t.name().equals(ROPE_FACTORS)) continue;
                long elements = 1;
                for (long n : t.ne()) elements = Math.multiplyExact(elements, n); // an absurd shape throws: a problem, not a wrong count
                parameters += elements;
                elementsByType.merge(t.type().name(), elements, Long::sum);
            }
        }

        String dominantType() {
            return elementsByType.entrySet().stream().max(Map.Entry.<String, Long>comparingByValue()
                    .thenComparing(Map.Entry.comparingByKey())).map(Map.Entry::getKey).orElse("none");
        }
    }
}
