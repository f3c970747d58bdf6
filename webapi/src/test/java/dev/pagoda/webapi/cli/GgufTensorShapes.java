package dev.pagoda.webapi.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A GGUF header reader written from the spec for this test alone (independent of the catalog's):
 * magic "GGUF", u32 version, u64 tensor count, u64 metadata count, the metadata (skipped), then per
 * tensor: string name, u32 n_dims, u64 ne[n_dims], u32 type, u64 offset. Little-endian throughout.
 */
final class GgufTensorShapes {

    private GgufTensorShapes() {}

    /** Element count of every tensor by name. */
    static Map<String, Long> elementCounts(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt() != 0x46554747) throw new IOException(file + ": no GGUF magic");
        b.getInt(); // version
        long tensors = b.getLong();
        long kvs = b.getLong();
        for (long i = 0; i < kvs; i++) {
            string(b);
            skipValue(b, b.getInt());
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        for (long i = 0; i < tensors; i++) {
            String name = string(b);
            int dims = b.getInt();
            long n = 1;
            for (int d = 0; d < dims; d++) n *= b.getLong();
            b.getInt();  // type
            b.getLong(); // offset
            counts.put(name, n);
        }
        return counts;
    }

    private static String string(ByteBuffer b) {
        byte[] bytes = new byte[Math.toIntExact(b.getLong())];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void skipValue(ByteBuffer b, int type) {
        switch (type) {
            case 0, 1, 7 -> b.position(b.position() + 1);      // u8, i8, bool
            case 2, 3 -> b.position(b.position() + 2);         // u16, i16
            case 4, 5, 6 -> b.position(b.position() + 4);      // u32, i32, f32
            case 10, 11, 12 -> b.position(b.position() + 8);   // u64, i64, f64
            case 8 -> string(b);
            case 9 -> {
                int elementType = b.getInt();
                long n = b.getLong();
                for (long i = 0; i < n; i++) skipValue(b, elementType);
            }
            default -> throw new IllegalStateException("unknown GGUF value type " + type);
        }
    }
}
