package dev.pagoda.catalog.gguf;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Hand-assembles GGUF bytes in tests, following the layout in gguf.h/gguf.cpp directly, so the
 * reader can be tested against files it did not write itself (and corrupted on purpose).
 */
final class GgufBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    GgufBytes u8(int v) {
        out.write(v);
        return this;
    }

    GgufBytes u16(int v) {
        return u8(v).u8(v >> 8);
    }

    GgufBytes u32(long v) {
        return u16((int) v).u16((int) (v >> 16));
    }

    GgufBytes u64(long v) {
        return u32(v).u32(v >>> 32);
    }

    GgufBytes str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        u64(b.length);
        out.writeBytes(b);
        return this;
    }

    GgufBytes raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    /** Key, type id, then the caller appends the value. */
    GgufBytes key(String key, int typeId) {
        return str(key).u32(typeId);
    }

    GgufBytes tensorInfo(String name, int ggmlType, long offset, long... ne) {
        str(name).u32(ne.length);
        for (long d : ne) u64(d);
        return u32(ggmlType).u64(offset);
    }

    GgufBytes padTo(int alignment) {
        while (out.size() % alignment != 0) out.write(0);
        return this;
    }

    int size() {
        return out.size();
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
