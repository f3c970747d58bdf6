package dev.pagoda.catalog.gguf;

import dev.pagoda.catalog.ModelFormatException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses the GGUF header (gguf.cpp {@code gguf_init_from_file_impl}) from a mapped file. Every
 * count and length is checked against the bytes left before anything is allocated, so a corrupt
 * or hostile file fails with a {@link ModelFormatException} instead of an OOM.
 */
final class GgufHeaderParser {

    static final int MAGIC = 0x46554747; // "GGUF" read little-endian
    static final long DEFAULT_ALIGNMENT = 32;
    /** ggml's GGML_MAX_DIMS. */
    static final int MAX_DIMS = 4;
    /** Deeper nesting than any real file uses; bounds the recursion on hostile input. */
    private static final int MAX_ARRAY_NESTING = 16;

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    record Header(int version, Map<String, Object> metadata, Map<String, GgufValueType> types,
                  List<GgufTensorInfo> tensors, long alignment, long dataStart) {}

    private final Path path;
    private final MemorySegment file;
    private long pos;

    private GgufHeaderParser(Path path, MemorySegment file) {
        this.path = path;
        this.file = file;
    }

    static Header parse(Path path, MemorySegment file) {
        return new GgufHeaderParser(path, file).header();
    }

    private Header header() {
        if (file.byteSize() < 4 || u32() != MAGIC) {
            throw fail("not a GGUF file (no 'GGUF' magic at offset 0)");
        }
        int version = (int) u32();
        if (version != 0 && (version & 0xFFFF) == 0) {
            throw fail("big-endian GGUF (version field reads " + Integer.toUnsignedString(version)
                    + "); only little-endian files are supported");
        }
        if (version == 1) {
            throw fail("GGUF version 1 is not supported (re-convert the model with a current llama.cpp)");
        }
        if (version != 2 && version != 3) {
            throw fail("unsupported GGUF version " + Integer.toUnsignedString(version) + " (supported: 2, 3)");
        }
        long tensorCount = u64();
        long kvCount = u64();
        checkCount(kvCount, 8 + 4, "metadata entries");
        checkCount(tensorCount, 8 + 4 + 4 + 8, "tensors");

        Map<String, Object> metadata = new LinkedHashMap<>();
        Map<String, GgufValueType> types = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            long at = pos;
            String key = string("metadata key");
            GgufValueType type = valueType("metadata '" + key + "'");
            Object value = value(type, key, 0);
            if (metadata.putIfAbsent(key, value) != null) {
                throw fail("duplicate metadata key '" + key + "' at offset " + at);
            }
            types.put(key, type);
        }

        long alignment = DEFAULT_ALIGNMENT;
        if (metadata.containsKey("general.alignment")) {
            if (types.get("general.alignment") != GgufValueType.UINT32) {
                throw fail("general.alignment must be uint32, found " + types.get("general.alignment"));
            }
            alignment = (Long) metadata.get("general.alignment");
            if (alignment == 0 || Long.bitCount(alignment) != 1) {
                throw fail("general.alignment " + alignment + " is not a power of two");
            }
        }

        List<GgufTensorInfo> infos = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (long i = 0; i < tensorCount; i++) {
            GgufTensorInfo info = tensorInfo(alignment);
            if (!names.add(info.name())) throw fail("duplicate tensor name '" + info.name() + "'");
            infos.add(info);
        }

        long dataStart = alignUp(pos, alignment);
        for (GgufTensorInfo info : infos) {
            long end = dataStart + info.dataOffset() + info.byteSize(); // each term < file size: no overflow
            if (info.dataOffset() > file.byteSize() || end > file.byteSize() || end < 0) {
                throw fail("tensor '" + info.name() + "' (" + info.byteSize() + " bytes at data offset "
                        + info.dataOffset() + ") extends past the end of the file (" + file.byteSize()
                        + " bytes, data section starts at " + dataStart + ")");
            }
        }
        return new Header(version, metadata, types, infos, alignment, dataStart);
    }

    private GgufTensorInfo tensorInfo(long alignment) {
        String name = string("tensor name");
        long nDims = u32();
        if (nDims < 1 || nDims > MAX_DIMS) {
            throw fail("tensor '" + name + "' has " + nDims + " dimensions (ggml allows 1.." + MAX_DIMS + ")");
        }
        long[] ne = new long[(int) nDims];
        long elements = 1;
        for (int d = 0; d < nDims; d++) {
            ne[d] = u64();
            if (ne[d] < 0) {
                throw fail("tensor '" + name + "' dimension " + d + " is " + Long.toUnsignedString(ne[d]));
            }
            try {
                elements = Math.multiplyExact(elements, ne[d]);
            } catch (ArithmeticException e) {
                throw fail("tensor '" + name + "' has more than 2^63 elements");
            }
        }
        int typeId = (int) u32();
        GgmlType type = GgmlType.byId(typeId).orElseThrow(() ->
                fail("tensor '" + name + "' has unknown GGML type id " + Integer.toUnsignedString(typeId)));
        if (ne[0] % type.blockElements() != 0) {
            throw fail("tensor '" + name + "' row length " + ne[0] + " is not a multiple of the "
                    + type.name() + " block size " + type.blockElements());
        }
        long offset = u64();
        if (offset < 0 || offset % alignment != 0) {
            throw fail("tensor '" + name + "' data offset " + Long.toUnsignedString(offset)
                    + " is not a multiple of the alignment " + alignment);
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(elements / type.blockElements(), (long) type.blockBytes());
        } catch (ArithmeticException e) {
            throw fail("tensor '" + name + "' byte size overflows");
        }
        return new GgufTensorInfo(name, ne, type, offset, bytes);
    }

    private Object value(GgufValueType type, String key, int depth) {
        return switch (type) {
            case UINT8 -> (long) Byte.toUnsignedInt(u8());
            case INT8 -> (long) u8();
            case UINT16 -> (long) Short.toUnsignedInt(i16());
            case INT16 -> (long) i16();
            case UINT32 -> u32();
            case INT32 -> (long) (int) u32();
            case UINT64, INT64 -> u64();
            case FLOAT32 -> (double) Float.intBitsToFloat((int) u32());
            case FLOAT64 -> Double.longBitsToDouble(u64());
            case BOOL -> {
                byte b = u8();
                if (b != 0 && b != 1) throw fail("metadata '" + key + "' bool has value " + b);
                yield b == 1;
            }
            case STRING -> string("metadata '" + key + "' string");
            case ARRAY -> array(key, depth);
        };
    }

    private List<Object> array(String key, int depth) {
        if (depth >= MAX_ARRAY_NESTING) {
            throw fail("metadata '" + key + "' nests arrays more than " + MAX_ARRAY_NESTING + " deep");
        }
        GgufValueType elementType = valueType("metadata '" + key + "' array element");
        long count = u64();
        checkCount(count, elementType.minEncodedSize(), "elements in array '" + key + "'");
        List<Object> list = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) list.add(value(elementType, key, depth + 1));
        return java.util.Collections.unmodifiableList(list);
    }

    private GgufValueType valueType(String what) {
        long at = pos;
        int id = (int) u32();
        GgufValueType type = GgufValueType.fromId(id);
        if (type == null) {
            throw fail(what + " has unknown value type " + Integer.toUnsignedString(id) + " at offset " + at);
        }
        return type;
    }

    private String string(String what) {
        long at = pos;
        long length = u64();
        if (length < 0 || length > file.byteSize() - pos) {
            throw fail(what + " at offset " + at + " claims " + Long.toUnsignedString(length)
                    + " bytes but only " + (file.byteSize() - pos) + " remain");
        }
        if (length > Integer.MAX_VALUE - 8) throw fail(what + " at offset " + at + " is longer than 2 GiB");
        byte[] bytes = file.asSlice(pos, length).toArray(ValueLayout.JAVA_BYTE);
        pos += length;
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Rejects a count whose smallest possible encoding would not fit in the rest of the file. */
    private void checkCount(long count, int minBytesEach, String what) {
        long remaining = file.byteSize() - pos;
        if (count < 0 || (minBytesEach > 0 && count > remaining / minBytesEach)
                || count > Integer.MAX_VALUE - 8) {
            throw fail("header claims " + Long.toUnsignedString(count) + " " + what + " at offset " + pos
                    + ", more than the " + remaining + " remaining bytes can hold");
        }
    }

    private void need(int bytes) {
        if (pos + bytes > file.byteSize()) {
            throw fail("truncated: needs " + bytes + " bytes at offset " + pos + " but the file has "
                    + file.byteSize() + " bytes");
        }
    }

    private byte u8() {
        need(1);
        return file.get(ValueLayout.JAVA_BYTE, pos++);
    }

    private short i16() {
        need(2);
        short v = file.get(I16, pos);
        pos += 2;
        return v;
    }

    private long u32() {
        need(4);
        long v = Integer.toUnsignedLong(file.get(I32, pos));
        pos += 4;
        return v;
    }

    private long u64() {
        need(8);
        long v = file.get(I64, pos);
        pos += 8;
        return v;
    }

    static long alignUp(long offset, long alignment) {
        return (offset + alignment - 1) / alignment * alignment;
    }

    private ModelFormatException fail(String problem) {
        return new ModelFormatException(path, problem);
    }
}
