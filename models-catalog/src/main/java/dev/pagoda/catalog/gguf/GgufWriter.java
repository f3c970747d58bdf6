package dev.pagoda.catalog.gguf;

import dev.pagoda.catalog.quant.Quantize;
import dev.pagoda.catalog.tensor.DType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a GGUF v3 file the way gguf.cpp does: header, metadata, tensor infos, zero padding to
 * the alignment (32), then the tensors back to back, each padded to the alignment. The file
 * appears atomically: it is written to a temporary file in the target folder and moved over the
 * target only when complete.
 *
 * <p>Tensor contents are supplied lazily, so converting a large model holds one tensor at a time.
 */
public final class GgufWriter {

    /**
     * Produces a tensor's encoded bytes when the writer reaches it, into a native buffer of exactly
     * the tensor's byte size that the writer frees right after writing it.
     */
    @FunctionalInterface
    public interface TensorContent {
        void fill(MemorySegment destination);
    }

    private record Value(GgufValueType type, Object value) {}

    private record PendingTensor(String name, DType type, long[] ne, long byteSize, TensorContent content) {}

    private static final int ALIGNMENT = 32;
    private static final long WRITE_CHUNK = 1 << 30;

    private final Map<String, Value> metadata = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();

    /** Adds a metadata value; {@code value} must match {@code type} (see {@link GgufArray} for arrays). */
    public GgufWriter put(String key, GgufValueType type, Object value) {
        Objects.requireNonNull(key, "key");
        checkValue(key, type, value);
        if (key.equals("general.alignment")) {
            throw new IllegalArgumentException("general.alignment is fixed at " + ALIGNMENT + " by this writer");
        }
        metadata.put(key, new Value(type, value));
        return this;
    }

    public GgufWriter putString(String key, String value) {
        return put(key, GgufValueType.STRING, value);
    }

    public GgufWriter putUInt32(String key, long value) {
        return put(key, GgufValueType.UINT32, value);
    }

    public GgufWriter putFloat32(String key, double value) {
        return put(key, GgufValueType.FLOAT32, value);
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(key, GgufValueType.BOOL, value);
    }

    public GgufWriter putArray(String key, GgufValueType elementType, List<?> values) {
        return put(key, GgufValueType.ARRAY, new GgufArray(elementType, values));
    }

    /**
     * Adds a tensor whose encoded bytes {@code content} writes when the file is written.
     *
     * @param shape outermost first (HF order); stored reversed as GGUF's {@code ne}
     */
    public GgufWriter addTensor(String name, DType type, long[] shape, TensorContent content) {
        if (type.ggmlId < 0) throw new IllegalArgumentException(type + " has no GGUF type id");
        if (shape.length < 1 || shape.length > GgufHeaderParser.MAX_DIMS) {
            throw new IllegalArgumentException(name + ": GGUF tensors have 1.." + GgufHeaderParser.MAX_DIMS + " dims");
        }
        if (tensors.stream().anyMatch(t -> t.name().equals(name))) {
            throw new IllegalArgumentException("duplicate tensor " + name);
        }
        long[] ne = new long[shape.length];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            ne[i] = shape[shape.length - 1 - i];
            elements = Math.multiplyExact(elements, ne[i]);
        }
        if (ne[0] % type.blockElements != 0) {
            throw new IllegalArgumentException(name + ": row length " + ne[0] + " is not a multiple of the "
                    + type + " block size " + type.blockElements);
        }
        tensors.add(new PendingTensor(name, type, ne, type.bytesFor(elements), content));
        return this;
    }

    /** Adds a tensor from floats, encoded as {@code type} (F32, F16, Q8_0 or Q4_0). */
    public GgufWriter addTensor(String name, DType type, long[] shape, float[] values) {
        if (!Quantize.canEncode(type)) throw new IllegalArgumentException("cannot encode " + type);
        long elements = 1;
        for (long d : shape) elements = Math.multiplyExact(elements, d);
        if (elements != values.length) {
            throw new IllegalArgumentException(name + ": shape holds " + elements + " values, got " + values.length);
        }
        return addTensor(name, type, shape, dst -> Quantize.encode(type, values, 0, values.length, dst, 0));
    }

    /** Writes everything to {@code target}, replacing it atomically. */
    public void write(Path target) throws IOException {
        Path folder = target.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(folder, target.getFileName() + ".", ".partial");
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeTo(out);
                out.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private void writeTo(FileChannel out) throws IOException {
        Encoder header = new Encoder();
        header.u32(GgufHeaderParser.MAGIC);
        header.u32(3);
        header.u64(tensors.size());
        header.u64(metadata.size() + 1);
        header.string("general.alignment");
        header.u32(GgufValueType.UINT32.id);
        header.u32(ALIGNMENT);
        for (Map.Entry<String, Value> kv : metadata.entrySet()) {
            header.string(kv.getKey());
            header.u32(kv.getValue().type().id);
            header.value(kv.getValue().type(), kv.getValue().value());
        }
        long offset = 0;
        for (PendingTensor t : tensors) {
            header.string(t.name());
            header.u32(t.ne().length);
            for (long d : t.ne()) header.u64(d);
            header.u32(t.type().ggmlId);
            header.u64(offset);
            offset += GgufHeaderParser.alignUp(t.byteSize(), ALIGNMENT);
        }
        header.padTo(ALIGNMENT);
        writeFully(out, header.bytes());

        for (PendingTensor t : tensors) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment data = arena.allocate(Math.max(1, t.byteSize()), ALIGNMENT).asSlice(0, t.byteSize());
                t.content().fill(data);
                // a ByteBuffer cannot span 2 GiB (an F32 Llama-3-8B embedding is 2.1 GB): write in slices
                for (long at = 0; at < data.byteSize(); at += WRITE_CHUNK) {
                    writeFully(out, data.asSlice(at, Math.min(WRITE_CHUNK, data.byteSize() - at)).asByteBuffer());
                }
            }
            long pad = GgufHeaderParser.alignUp(t.byteSize(), ALIGNMENT) - t.byteSize();
            writeFully(out, ByteBuffer.allocate((int) pad));
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) out.write(buffer);
    }

    private static void checkValue(String key, GgufValueType type, Object value) {
        boolean ok = switch (type) {
            case STRING -> value instanceof String;
            case BOOL -> value instanceof Boolean;
            case ARRAY -> value instanceof GgufArray;
            case FLOAT32, FLOAT64 -> value instanceof Number;
            default -> value instanceof Number n && fitsInteger(type, n.longValue());
        };
        if (!ok) throw new IllegalArgumentException("metadata '" + key + "': " + value + " is not a valid " + type);
        if (value instanceof GgufArray array) {
            for (Object element : array.values()) checkValue(key, array.elementType(), element);
        }
    }

    private static boolean fitsInteger(GgufValueType type, long v) {
        return switch (type) {
            case UINT8 -> v >= 0 && v <= 0xFF;
            case INT8 -> v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE;
            case UINT16 -> v >= 0 && v <= 0xFFFF;
            case INT16 -> v >= Short.MIN_VALUE && v <= Short.MAX_VALUE;
            case UINT32 -> v >= 0 && v <= 0xFFFF_FFFFL;
            case INT32 -> v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
            default -> true; // uint64 carries raw bits, int64 any long
        };
    }

    /** A growable little-endian byte buffer for the header. */
    private static final class Encoder {
        private ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        private void ensure(int bytes) {
            if (buf.remaining() < bytes) {
                int capacity = Math.max(buf.capacity() * 2, buf.position() + bytes);
                buf = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN).put(buf.flip());
            }
        }

        void u8(int v) {
            ensure(1);
            buf.put((byte) v);
        }

        void u16(int v) {
            ensure(2);
            buf.putShort((short) v);
        }

        void u32(long v) {
            ensure(4);
            buf.putInt((int) v);
        }

        void u64(long v) {
            ensure(8);
            buf.putLong(v);
        }

        void string(String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            u64(bytes.length);
            ensure(bytes.length);
            buf.put(bytes);
        }

        void value(GgufValueType type, Object value) {
            switch (type) {
                case UINT8, INT8 -> u8(((Number) value).intValue());
                case UINT16, INT16 -> u16(((Number) value).intValue());
                case UINT32, INT32 -> u32(((Number) value).longValue());
                case UINT64, INT64 -> u64(((Number) value).longValue());
                case FLOAT32 -> u32(Float.floatToRawIntBits(((Number) value).floatValue()));
                case FLOAT64 -> u64(Double.doubleToRawLongBits(((Number) value).doubleValue()));
                case BOOL -> u8((Boolean) value ? 1 : 0);
                case STRING -> string((String) value);
                case ARRAY -> {
                    GgufArray array = (GgufArray) value;
                    u32(array.elementType().id);
                    u64(array.values().size());
                    for (Object element : array.values()) value(array.elementType(), element);
                }
            }
        }

        void padTo(int alignment) {
            int pad = (int) (GgufHeaderParser.alignUp(buf.position(), alignment) - buf.position());
            ensure(pad);
            buf.put(new byte[pad]);
        }

        ByteBuffer bytes() {
            return buf.duplicate().flip();
        }
    }
}
