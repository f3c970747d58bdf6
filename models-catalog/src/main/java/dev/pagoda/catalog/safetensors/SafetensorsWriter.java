package dev.pagoda.catalog.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pagoda.catalog.tensor.TensorData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes {@code .safetensors} files byte-for-byte the way the Rust library lays them out: compact
 * JSON header padded with spaces to a multiple of 8 (so the byte buffer starts 8-aligned),
 * {@code __metadata__} first, tensors ordered by element size (largest first) then name, so every
 * tensor starts aligned to its element size.
 *
 * <p>The file appears atomically: it is written to a temporary file in the same folder and
 * moved over the target with {@code ATOMIC_MOVE}, so a reader never sees half a file.
 */
public final class SafetensorsWriter {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SafetensorsWriter() {}

    /**
     * Writes {@code tensors} (each {@link TensorData#data()} holds exactly its little-endian bytes;
     * heap segments are fine) and optional {@code metadata} to {@code file}.
     *
     * @throws IllegalArgumentException on duplicate names, a dtype safetensors lacks, or a data
     *                                  segment whose size does not match dtype × shape
     */
    public static void write(Path file, List<TensorData> tensors, Map<String, String> metadata) {
        List<TensorData> ordered = new ArrayList<>(tensors);
        ordered.sort(Comparator.comparingInt((TensorData t) -> -t.dtype().blockBytes).thenComparing(TensorData::name));
        byte[] header = header(ordered, metadata);

        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
                writeFully(ch, length);
                writeFully(ch, ByteBuffer.wrap(header));
                byte[] chunk = new byte[1 << 20];
                for (TensorData t : ordered) writeSegment(ch, t.data(), chunk);
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the original failure is the one worth reporting
                }
            }
        }
    }

    /** The JSON header, space-padded to a multiple of 8 bytes. */
    static byte[] header(List<TensorData> ordered, Map<String, String> metadata) {
        ObjectNode root = MAPPER.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = root.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        Set<String> seen = new HashSet<>();
        long offset = 0;
        for (TensorData t : ordered) {
            if (t.name().equals("__metadata__") || !seen.add(t.name())) {
                throw new IllegalArgumentException("duplicate or reserved tensor name \"" + t.name() + "\"");
            }
            long bytes = t.dtype().bytesFor(t.elementCount());
            if (t.data().byteSize() != bytes) {
                throw new IllegalArgumentException(t + " needs " + bytes + " bytes of data, got " + t.data().byteSize());
            }
            ObjectNode entry = root.putObject(t.name());
            entry.put("dtype", SafetensorsDTypes.nameOf(t.dtype()));
            ArrayNode shape = entry.putArray("shape");
            for (long d : t.shape()) shape.add(d);
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json;
        try {
            json = MAPPER.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int padded = (json.length + 7) & ~7;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        for (int i = json.length; i < padded; i++) out[i] = ' ';
        return out;
    }

    /**
     * Copies through a byte[] chunk because {@code asByteBuffer()} refuses heap segments backed by
     * float[]/short[] arrays, which callers naturally build tensors from.
     */
    private static void writeSegment(FileChannel ch, MemorySegment data, byte[] chunk) throws IOException {
        for (long pos = 0; pos < data.byteSize(); pos += chunk.length) {
            int n = (int) Math.min(chunk.length, data.byteSize() - pos);
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, pos, chunk, 0, n);
            writeFully(ch, ByteBuffer.wrap(chunk, 0, n));
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) ch.write(buf);
    }
}
