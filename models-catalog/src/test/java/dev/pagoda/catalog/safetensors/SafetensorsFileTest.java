package dev.pagoda.catalog.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.ModelFormatException;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {

    @TempDir
    Path tmp;

    /** A file laid out by hand from the format description: u64 LE length, JSON, data. */
    static byte[] handMade(String header, byte[] data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
        out.writeBytes(json);
        out.writeBytes(data);
        return out.toByteArray();
    }

    static byte[] floatsLE(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    @Test
    void readsAHandMadeFile() throws IOException {
        byte[] data = new byte[24 + 4];
        System.arraycopy(floatsLE(1, 2, 3, 4, 5, 6), 0, data, 0, 24);
        data[24] = 0x00; data[25] = 0x3C; // f16 1.0
        data[26] = (byte) 0x80; data[27] = 0x3F; // bf16 1.0
        Path f = tmp.resolve("x.safetensors");
        Files.write(f, handMade("""
                {"__metadata__":{"format":"pt"},
                 "w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},
                 "h":{"dtype":"F16","shape":[1],"data_offsets":[24,26]},
                 "b":{"dtype":"BF16","shape":[],"data_offsets":[26,28]}}""", data));
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            assertEquals(Map.of("format", "pt"), st.metadata());
            assertEquals(List.of("w", "h", "b"), List.copyOf(st.tensorNames()), "data-offset order");
            TensorData w = st.tensor("w");
            assertEquals(DType.F32, w.dtype());
            assertArrayEquals(new long[] {2, 3}, w.shape());
            assertEquals(6f, w.data().get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 20));
            assertTrue(w.data().isMapped(), "tensor data is a view of the mapping, not a heap copy");
            assertEquals(0x3C00, st.tensor("h").data().get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0));
            assertEquals(0, st.tensor("b").rank());
            assertEquals(1, st.tensor("b").elementCount());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> st.tensor("nope"));
            assertTrue(e.getMessage().contains("nope") && e.getMessage().contains(f.toString()));
        }
    }

    @Test
    void writerProducesTheRustLibraryLayout() throws IOException {
        Path f = tmp.resolve("w.safetensors");
        TensorData half = new TensorData("z.half", DType.F16, new long[] {1}, MemorySegment.ofArray(new byte[] {0x00, 0x3C}));
        TensorData a = new TensorData("a", DType.F32, new long[] {2}, MemorySegment.ofArray(floatsLE(1.5f, -2f)));
        SafetensorsWriter.write(f, List.of(half, a), Map.of("format", "pt"));

        // Expected bytes by hand: compact JSON, metadata first, larger dtype first, then padded to 8
        // with spaces (safetensors 0.8.0's save_file wrote exactly these 144 header bytes too).
        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"z.half\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[8,10]}}";
        String padded = json + " ".repeat((8 - json.length() % 8) % 8);
        byte[] data = new byte[10];
        System.arraycopy(floatsLE(1.5f, -2f), 0, data, 0, 8);
        data[9] = 0x3C;
        assertArrayEquals(handMade(padded, data), Files.readAllBytes(f));
        try (var dir = Files.list(tmp)) {
            assertEquals(1, dir.count(), "no temporary file left behind");
        }
    }

    @Test
    void writerMatchesBytesWrittenByTheRustLibrary() throws IOException {
        // Header as safetensors 0.8.0 (Rust, via safetensors.numpy.save_file) wrote it for
        // {"ab": f32[1.5], "c": i8[1], "d": i64[2]}: I64 first, then F32, then I8; padded with spaces.
        String rust = "{\"d\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                + "\"ab\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
                + "\"c\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[12,13]}}     ";
        assertEquals(168, rust.length());
        Path f = tmp.resolve("r.safetensors");
        SafetensorsWriter.write(f, List.of(
                new TensorData("ab", DType.F32, new long[] {1}, MemorySegment.ofArray(floatsLE(1.5f))),
                new TensorData("c", DType.I8, new long[] {1}, MemorySegment.ofArray(new byte[] {1})),
                new TensorData("d", DType.I64, new long[] {1}, MemorySegment.ofArray(new byte[] {2, 0, 0, 0, 0, 0, 0, 0}))),
                Map.of());
        byte[] data = new byte[13];
        data[0] = 2;
        System.arraycopy(floatsLE(1.5f), 0, data, 8, 4);
        data[12] = 1;
        assertArrayEquals(handMade(rust, data), Files.readAllBytes(f));
    }

    @Test
    void writeThenReadRoundTripsEveryDtype() {
        SplittableRandom r = new SplittableRandom(7);
        List<DType> types = List.of(DType.F32, DType.F16, DType.BF16, DType.I8, DType.U8, DType.I32, DType.I64, DType.F64, DType.F8_E4M3);
        List<TensorData> tensors = new java.util.ArrayList<>();
        for (DType t : types) {
            long[] shape = {1 + r.nextInt(4), 1 + r.nextInt(5)};
            byte[] bytes = new byte[(int) t.bytesFor(shape[0] * shape[1])];
            r.nextBytes(bytes);
            tensors.add(new TensorData("t." + t.name(), t, shape, MemorySegment.ofArray(bytes)));
        }
        // float[]-backed heap segments must be writable too
        tensors.add(new TensorData("floats", DType.F32, new long[] {3}, MemorySegment.ofArray(new float[] {1, 2, 3})));
        Path f = tmp.resolve("all.safetensors");
        SafetensorsWriter.write(f, tensors, Map.of());
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            assertTrue(st.metadata().isEmpty());
            for (TensorData t : tensors) {
                TensorData back = st.tensor(t.name());
                assertEquals(t.dtype(), back.dtype(), t.name());
                assertArrayEquals(t.shape(), back.shape(), t.name());
                assertArrayEquals(t.data().toArray(ValueLayout.JAVA_BYTE), back.data().toArray(ValueLayout.JAVA_BYTE), t.name());
                assertEquals(0, back.data().address() % back.dtype().blockBytes, t.name() + " is aligned to its element size");
            }
        }
    }

    @Test
    void closeReleasesTheMapping() {
        Path f = tmp.resolve("c.safetensors");
        SafetensorsWriter.write(f, List.of(new TensorData("a", DType.F32, new long[] {1},
                MemorySegment.ofArray(floatsLE(1)))), Map.of());
        SafetensorsFile st = SafetensorsFile.open(f);
        TensorData a = st.tensor("a");
        st.close();
        assertFalse(a.data().scope().isAlive());
        assertThrows(IllegalStateException.class, () -> a.data().get(ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    void writerRejectsBadInput() {
        Path f = tmp.resolve("bad.safetensors");
        TensorData a = new TensorData("a", DType.F32, new long[] {2}, MemorySegment.ofArray(new byte[4]));
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(f, List.of(a), Map.of()), "size mismatch");
        TensorData b = new TensorData("b", DType.F32, new long[] {1}, MemorySegment.ofArray(new byte[4]));
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(f, List.of(b, b), Map.of()), "duplicate");
        TensorData q = new TensorData("q", DType.Q8_0, new long[] {32}, MemorySegment.ofArray(new byte[34]));
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(f, List.of(q), Map.of()), "GGML type");
        assertFalse(Files.exists(f));
    }

    private void assertRejected(String header, byte[] data, String fragment) throws IOException {
        Path f = tmp.resolve("r.safetensors");
        Files.write(f, handMade(header, data));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafetensorsFile.open(f));
        assertEquals(f, e.file());
        assertTrue(e.getMessage().contains(fragment), e.getMessage() + " should mention " + fragment);
    }

    @Test
    void invalidHeadersAreNamedProblems() throws IOException {
        byte[] eight = new byte[8];
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", eight, "12 bytes");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[12], "overlap");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight, "gap");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", eight, "truncated");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", eight, "trailing");
        assertRejected("{\"a\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4], "unsupported dtype Q4");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4], "negative");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}",
                new byte[4], "overflows");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", new byte[4], "data_offsets");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", new byte[4], "invalid data_offsets");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", new byte[4], "integer");
        assertRejected("{\"a\":3}", new byte[0], "\"a\"");
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4], "Duplicate");
        assertRejected("[]", new byte[0], "'{'");
        assertRejected("{\"a\":", new byte[0], "malformed JSON");
        assertRejected("{\"__metadata__\":{\"k\":1}}", new byte[0], "__metadata__");
    }

    @Test
    void absurdHeaderLengthsAreRejectedBeforeAnyAllocation() throws IOException {
        for (long n : new long[] {1L << 62, -1L, Long.MIN_VALUE, 100_000_001L, 1000}) {
            Path f = tmp.resolve("h.safetensors");
            ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(n).put("{}      ".getBytes());
            Files.write(f, b.array());
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafetensorsFile.open(f));
            assertTrue(e.getMessage().contains("header length"), e.getMessage());
        }
        Path empty = tmp.resolve("empty.safetensors");
        Files.write(empty, new byte[3]);
        assertTrue(assertThrows(ModelFormatException.class, () -> SafetensorsFile.open(empty)).getMessage().contains("too short"));
        Path missing = tmp.resolve("missing.safetensors");
        assertEquals(missing, assertThrows(ModelFormatException.class, () -> SafetensorsFile.open(missing)).file());
    }
}
