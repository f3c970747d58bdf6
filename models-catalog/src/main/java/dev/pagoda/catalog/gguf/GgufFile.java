package dev.pagoda.catalog.gguf;

import dev.pagoda.catalog.ModelFormatException;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A GGUF file (v2 or v3, little-endian) memory-mapped read-only. Metadata values use one Java type
 * per kind: every integer type is a {@link Long} (uint64 as its raw bits), float32/float64 a
 * {@link Double}, bool a {@link Boolean}, string a {@link String}, array an unmodifiable
 * {@code List<Object>} of the same. Tensors are views into the mapping; closing the file unmaps
 * it and invalidates them.
 */
public final class GgufFile implements AutoCloseable {

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping; // the whole file
    private final GgufHeaderParser.Header header;
    private final Map<String, GgufTensorInfo> tensorsByName;

    private GgufFile(Path path, Arena arena, MemorySegment mapping, GgufHeaderParser.Header header) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.header = header;
        Map<String, GgufTensorInfo> byName = new LinkedHashMap<>();
        for (GgufTensorInfo t : header.tensors()) byName.put(t.name(), t);
        this.tensorsByName = Collections.unmodifiableMap(byName);
    }

    /** @throws ModelFormatException naming the file when it cannot be read or is not valid GGUF */
    public static GgufFile open(Path path) {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            return new GgufFile(path, arena, mapping, GgufHeaderParser.parse(path, mapping));
        } catch (IOException e) {
            arena.close();
            throw new ModelFormatException(path, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    public int version() {
        return header.version();
    }

    public long alignment() {
        return header.alignment();
    }

    /** File offset where the (aligned) tensor data section begins. */
    public long dataStart() {
        return header.dataStart();
    }

    /** All metadata in file order. */
    public Map<String, Object> metadata() {
        return Collections.unmodifiableMap(header.metadata());
    }

    /** The stored type of a metadata value (needed to copy it into another file faithfully). */
    public Optional<GgufValueType> metadataType(String key) {
        return Optional.ofNullable(header.types().get(key));
    }

    public boolean has(String key) {
        return header.metadata().containsKey(key);
    }

    public String getString(String key) {
        return typed(key, String.class, "a string");
    }

    public long getLong(String key) {
        return typed(key, Long.class, "an integer");
    }

    public double getDouble(String key) {
        return typed(key, Double.class, "a float");
    }

    public boolean getBoolean(String key) {
        return typed(key, Boolean.class, "a bool");
    }

    public List<String> getStringList(String key) {
        return list(key, String.class, "strings");
    }

    public List<Long> getLongList(String key) {
        return list(key, Long.class, "integers");
    }

    public List<Double> getDoubleList(String key) {
        return list(key, Double.class, "floats");
    }

    public Optional<String> optString(String key) {
        return has(key) ? Optional.of(getString(key)) : Optional.empty();
    }

    public Optional<Long> optLong(String key) {
        return has(key) ? Optional.of(getLong(key)) : Optional.empty();
    }

    public Optional<Double> optDouble(String key) {
        return has(key) ? Optional.of(getDouble(key)) : Optional.empty();
    }

    private <T> T typed(String key, Class<T> type, String expected) {
        Object value = header.metadata().get(key);
        if (value == null) throw new ModelFormatException(path, "metadata key '" + key + "' is missing");
        if (!type.isInstance(value)) {
            throw new ModelFormatException(path, "metadata key '" + key + "' should be " + expected
                    + " but is " + header.types().get(key));
        }
        return type.cast(value);
    }

    @SuppressWarnings("unchecked")
    private <T> List<T> list(String key, Class<T> elementType, String expected) {
        Object value = header.metadata().get(key);
        if (value == null) throw new ModelFormatException(path, "metadata key '" + key + "' is missing");
        if (!(value instanceof List<?> list) || !list.stream().allMatch(elementType::isInstance)) {
            throw new ModelFormatException(path, "metadata key '" + key + "' should be an array of "
                    + expected + " but is " + describe(value));
        }
        return (List<T>) list;
    }

    private static String describe(Object value) {
        if (value instanceof List<?> list) {
            return "an array of " + (list.isEmpty() ? "nothing" : list.getFirst().getClass().getSimpleName());
        }
        return "a " + value.getClass().getSimpleName();
    }

    public List<GgufTensorInfo> tensorInfos() {
        return header.tensors();
    }

    public Optional<GgufTensorInfo> tensorInfo(String ggufName) {
        return Optional.ofNullable(tensorsByName.get(ggufName));
    }

    public boolean hasTensor(String ggufName) {
        return tensorsByName.containsKey(ggufName);
    }

    /** The raw bytes of a tensor, a slice of the mapping. */
    public MemorySegment tensorBytes(GgufTensorInfo info) {
        return mapping.asSlice(header.dataStart() + info.dataOffset(), info.byteSize());
    }

    /**
     * A tensor under its GGUF name, shape outermost first (GGUF's {@code ne} reversed).
     *
     * @throws IllegalArgumentException when absent
     * @throws ModelFormatException when its GGML type is one Pagoda does not read
     */
    public TensorData tensor(String ggufName) {
        GgufTensorInfo info = tensorsByName.get(ggufName);
        if (info == null) throw new IllegalArgumentException(path + ": no tensor '" + ggufName + "'");
        DType dtype = info.type().dtype().orElseThrow(() -> new ModelFormatException(path, "tensor '"
                + ggufName + "' has GGML type " + info.type().name() + ", which Pagoda does not read (readable: "
                + Arrays.stream(DType.values()).filter(d -> d.ggmlId >= 0).map(Enum::name).toList() + ")"));
        return new TensorData(ggufName, dtype, info.shape(), tensorBytes(info));
    }

    @Override
    public void close() {
        arena.close();
    }
}
