package dev.pagoda.catalog.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.catalog.ModelFormatException;
import dev.pagoda.catalog.config.JsonFields;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One {@code .safetensors} file, memory-mapped read-only. Tensors are slices of the mapping (no
 * heap copies of tensor data); they live as long as the arena the file was opened in.
 *
 * <pre>
 *  0        8                8+N                                     file end
 *  | u64 LE N | N bytes JSON header | byte buffer (tensor data, contiguous) |
 *                                   ^ data_offsets [start, end) count from here
 * </pre>
 *
 * <p>Validation follows the Rust {@code safetensors} library, which transformers uses, so a file
 * opens here exactly when it opens there: header length within the file and at most 100 MB, a
 * JSON object header, known dtypes, non-negative shapes whose byte size matches the offsets, and
 * tensors that tile the byte buffer exactly (no overlaps, no gaps, nothing left over).
 */
public final class SafetensorsFile implements AutoCloseable {

    /** The Rust library's MAX_HEADER_SIZE. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final ValueLayout.OfLong U64_LE =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena ownedArena; // null when the caller's arena owns the mapping
    private final Map<String, String> metadata;
    private final Map<String, TensorData> tensors; // in data-offset order

    private SafetensorsFile(Path path, Arena ownedArena, Map<String, String> metadata, Map<String, TensorData> tensors) {
        this.path = path;
        this.ownedArena = ownedArena;
        this.metadata = metadata;
        this.tensors = tensors;
    }

    /** Opens and validates {@code file} in its own arena, released by {@link #close()}. */
    public static SafetensorsFile open(Path file) {
        Arena arena = Arena.ofShared();
        try {
            return read(file, arena, arena);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Opens {@code file} with its mapping in {@code arena} (shared by several files, e.g. the
     * shards of one model); {@link #close()} then leaves the arena alone.
     */
    public static SafetensorsFile open(Path file, Arena arena) {
        return read(file, arena, null);
    }

    private static SafetensorsFile read(Path file, Arena arena, Arena owned) {
        MemorySegment mapped;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new ModelFormatException(file, "file is " + size + " bytes, too short for the 8-byte header length");
            }
            mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file, "file not found");
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot map: " + e.getMessage(), e);
        }
        long size = mapped.byteSize();
        long headerLength = mapped.get(U64_LE, 0);
        // Compared unsigned-safely: a u64 above 2^63 reads as negative.
        if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
            throw new ModelFormatException(file, "header length " + Long.toUnsignedString(headerLength)
                    + " exceeds the safetensors limit of " + MAX_HEADER_BYTES + " bytes");
        }
        if (headerLength > size - 8) {
            throw new ModelFormatException(file, "header length " + headerLength + " runs past the end of the "
                    + size + "-byte file (truncated?)");
        }
        byte[] header = mapped.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
        if (headerLength == 0 || header[0] != '{') {
            throw new ModelFormatException(file, "header does not start with '{': not a safetensors file");
        }
        MemorySegment data = mapped.asSlice(8 + headerLength);
        JsonFields json = JsonFields.parse(file, header, 0, header.length);
        return parseHeader(file, json, data, owned);
    }

    private record Entry(String name, DType dtype, long[] shape, long start, long end) {}

    private static SafetensorsFile parseHeader(Path file, JsonFields json, MemorySegment data, Arena owned) {
        Map<String, String> metadata = Map.of();
        List<Entry> entries = new ArrayList<>();
        for (String name : json.keys()) {
            if (name.equals("__metadata__")) {
                metadata = metadata(file, json.node().get(name));
                continue;
            }
            JsonFields t = json.optionalObject(name);
            if (t == null) throw new ModelFormatException(file, "tensor \"" + name + "\" has no description");
            entries.add(entry(file, name, t));
        }
        entries.sort(Comparator.comparingLong(Entry::start).thenComparingLong(Entry::end));
        long expectedStart = 0;
        for (Entry e : entries) {
            if (e.start != expectedStart) {
                throw new ModelFormatException(file, "tensor \"" + e.name + "\" starts at " + e.start
                        + " but the previous tensor ends at " + expectedStart
                        + (e.start < expectedStart ? " (overlap)" : " (gap)"));
            }
            expectedStart = e.end;
        }
        if (expectedStart != data.byteSize()) {
            throw new ModelFormatException(file, "tensors cover " + expectedStart + " bytes but the data region holds "
                    + data.byteSize() + (expectedStart > data.byteSize() ? " (truncated?)" : " (trailing bytes)"));
        }
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        for (Entry e : entries) {
            tensors.put(e.name, new TensorData(e.name, e.dtype, e.shape, data.asSlice(e.start, e.end - e.start)));
        }
        return new SafetensorsFile(file, owned, metadata, Collections.unmodifiableMap(tensors));
    }

    private static Entry entry(Path file, String name, JsonFields t) {
        String dtypeName = t.optionalString("dtype");
        if (dtypeName == null) throw new ModelFormatException(file, "tensor \"" + name + "\" has no dtype");
        DType dtype = SafetensorsDTypes.fromName(dtypeName).orElseThrow(() -> new ModelFormatException(file,
                "tensor \"" + name + "\" has unsupported dtype " + dtypeName + "; supported are "
                        + SafetensorsDTypes.supportedNames()));
        long[] shape = t.requiredLongArray("shape");
        long elements = 1;
        for (long d : shape) {
            if (d < 0) throw new ModelFormatException(file, "tensor \"" + name + "\" has a negative dimension " + d);
            try {
                elements = Math.multiplyExact(elements, d);
            } catch (ArithmeticException ex) {
                throw new ModelFormatException(file, "tensor \"" + name + "\" shape overflows a 64-bit element count");
            }
        }
        long[] offsets = t.requiredLongArray("data_offsets");
        if (offsets.length != 2) {
            throw new ModelFormatException(file, "tensor \"" + name + "\" data_offsets must be [start, end]");
        }
        long start = offsets[0], end = offsets[1];
        if (start < 0 || end < start) {
            throw new ModelFormatException(file, "tensor \"" + name + "\" has invalid data_offsets [" + start + ", " + end + "]");
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(elements, (long) dtype.blockBytes);
        } catch (ArithmeticException ex) {
            throw new ModelFormatException(file, "tensor \"" + name + "\" byte size overflows 64 bits");
        }
        if (end - start != bytes) {
            throw new ModelFormatException(file, "tensor \"" + name + "\" is " + dtypeName + " " + java.util.Arrays.toString(shape)
                    + " = " + bytes + " bytes, but its data_offsets span " + (end - start));
        }
        return new Entry(name, dtype, shape, start, end);
    }

    private static Map<String, String> metadata(Path file, JsonNode node) {
        if (node == null || node.isNull()) return Map.of();
        if (!node.isObject()) throw new ModelFormatException(file, "__metadata__ must be an object of strings");
        Map<String, String> out = new LinkedHashMap<>();
        for (var it = node.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().isTextual()) {
                throw new ModelFormatException(file, "__metadata__ value of \"" + e.getKey() + "\" must be a string");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return Collections.unmodifiableMap(out);
    }

    public Path path() {
        return path;
    }

    /** The free-form string map under {@code __metadata__} (e.g. {@code format: pt}); may be empty. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Tensor names in data-offset order. */
    public Set<String> tensorNames() {
        return tensors.keySet();
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    /** @throws IllegalArgumentException naming the tensor and the file when absent */
    public TensorData tensor(String name) {
        TensorData t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException(path + ": no tensor named \"" + name + "\"");
        return t;
    }

    /** All tensors in data-offset order. */
    public List<TensorData> tensors() {
        return List.copyOf(tensors.values());
    }

    /** Releases the mapping when this file owns its arena; tensors must not be used afterwards. */
    @Override
    public void close() {
        if (ownedArena != null && ownedArena.scope().isAlive()) ownedArena.close();
    }
}
