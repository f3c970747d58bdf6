package dev.pagoda.catalog.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.ModelFormatException;
import dev.pagoda.catalog.quant.Quantize;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufFileTest {

    @TempDir
    Path dir;

    /** A v2 file with alignment 64 and K-quant/BF16 tensors, assembled byte by byte. */
    @Test
    void readsAHandAssembledV2File() throws IOException {
        Random random = new Random(1);
        byte[] q4k = new byte[2 * 144];       // ne = [256, 2]
        byte[] q6k = new byte[210];           // ne = [256]
        byte[] bf16 = new byte[2 * 3 * 2];    // ne = [2, 3]
        random.nextBytes(q4k);
        random.nextBytes(q6k);
        random.nextBytes(bf16);
        GgufBytes b = new GgufBytes().u32(0x46554747).u32(2).u64(3).u64(4);
        b.key("general.alignment", 4).u32(64);
        b.key("a.u8", 0).u8(250);
        b.key("a.nested", 9).u32(9).u64(2)
                .u32(5).u64(2).u32(-1).u32(7)          // [int32 -1, 7]
                .u32(8).u64(1).str("x");               // ["x"]
        b.key("a.u64", 10).u64(-1L);
        b.tensorInfo("t.q4k", 12, 0, 256, 2);
        b.tensorInfo("t.q6k", 14, 320, 256);           // 288 bytes rounded up to 64 -> 320
        b.tensorInfo("t.bf16", 30, 576, 2, 3);         // 320 + 210 -> 576
        b.padTo(64);
        int dataStart = b.size();
        b.raw(q4k).padTo(64).raw(q6k).padTo(64).raw(bf16);
        Path file = write(b.bytes());

        try (GgufFile gguf = GgufFile.open(file)) {
            assertEquals(2, gguf.version());
            assertEquals(64, gguf.alignment());
            assertEquals(dataStart, gguf.dataStart());
            assertEquals(List.of("general.alignment", "a.u8", "a.nested", "a.u64"), List.copyOf(gguf.metadata().keySet()));
            assertEquals(250L, gguf.metadata().get("a.u8"));
            assertEquals(List.of(List.of(-1L, 7L), List.of("x")), gguf.metadata().get("a.nested"));
            assertEquals(-1L, gguf.getLong("a.u64"));  // uint64 max as raw bits
            TensorData t = gguf.tensor("t.q4k");
            assertEquals(DType.Q4_K, t.dtype());
            assertArrayEquals(new long[] {2, 256}, t.shape());
            assertArrayEquals(q4k, t.data().toArray(ValueLayout.JAVA_BYTE));
            assertArrayEquals(q6k, gguf.tensor("t.q6k").data().toArray(ValueLayout.JAVA_BYTE));
            TensorData t3 = gguf.tensor("t.bf16");
            assertArrayEquals(new long[] {3, 2}, t3.shape());
            assertArrayEquals(bf16, t3.data().toArray(ValueLayout.JAVA_BYTE));
            assertTrue(t3.data().isMapped() || t3.data().isNative(), "a view of the mapping, not a heap copy");
        }
    }

    @Test
    void writerRoundTripsEveryValueTypeAndTensorType() throws IOException {
        GgufWriter w = new GgufWriter();
        w.put("k.u8", GgufValueType.UINT8, 255);
        w.put("k.i8", GgufValueType.INT8, -128);
        w.put("k.u16", GgufValueType.UINT16, 65535);
        w.put("k.i16", GgufValueType.INT16, -32768);
        w.put("k.u32", GgufValueType.UINT32, 0xFFFF_FFFFL);
        w.put("k.i32", GgufValueType.INT32, Integer.MIN_VALUE);
        w.put("k.u64", GgufValueType.UINT64, 0x8000_0000_0000_0001L);
        w.put("k.i64", GgufValueType.INT64, Long.MIN_VALUE);
        w.put("k.f32", GgufValueType.FLOAT32, 0.1f);
        w.put("k.f64", GgufValueType.FLOAT64, 0.1);
        w.putBool("k.bool", true);
        w.putString("k.str", "héllo ✓");
        w.putArray("k.strs", GgufValueType.STRING, List.of("a", "", "c"));
        w.putArray("k.nested", GgufValueType.ARRAY, List.of(
                new GgufArray(GgufValueType.FLOAT32, List.of(1.5, -2.0)),
                new GgufArray(GgufValueType.BOOL, List.of(false))));
        w.putArray("k.empty", GgufValueType.INT32, List.of());

        Random random = new Random(3);
        Map<String, float[]> values = new LinkedHashMap<>();
        List<DType> types = List.of(DType.F32, DType.F16, DType.Q8_0, DType.Q4_0);
        for (DType type : types) {
            float[] v = new float[3 * 64];
            for (int i = 0; i < v.length; i++) v[i] = (float) random.nextGaussian();
            values.put(type.name(), v);
            w.addTensor("t." + type, type, new long[] {3, 64}, v);
        }
        w.addTensor("t.odd", DType.F32, new long[] {3}, new float[] {1, 2, 3}); // 12 bytes: padding follows
        Path file = dir.resolve("rt.gguf");
        w.write(file);

        try (GgufFile gguf = GgufFile.open(file)) {
            Map<String, Object> expected = new LinkedHashMap<>();
            expected.put("general.alignment", 32L);
            expected.put("k.u8", 255L);
            expected.put("k.i8", -128L);
            expected.put("k.u16", 65535L);
            expected.put("k.i16", -32768L);
            expected.put("k.u32", 0xFFFF_FFFFL);
            expected.put("k.i32", (long) Integer.MIN_VALUE);
            expected.put("k.u64", 0x8000_0000_0000_0001L);
            expected.put("k.i64", Long.MIN_VALUE);
            expected.put("k.f32", (double) 0.1f);
            expected.put("k.f64", 0.1);
            expected.put("k.bool", true);
            expected.put("k.str", "héllo ✓");
            expected.put("k.strs", List.of("a", "", "c"));
            expected.put("k.nested", List.of(List.of(1.5, -2.0), List.of(false)));
            expected.put("k.empty", List.of());
            assertEquals(expected, gguf.metadata());
            assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(gguf.metadata().keySet()));
            assertEquals(GgufValueType.UINT16, gguf.metadataType("k.u16").orElseThrow());
            assertEquals(3, gguf.version());
            for (DType type : types) {
                GgufTensorInfo info = gguf.tensorInfo("t." + type).orElseThrow();
                assertArrayEquals(new long[] {64, 3}, info.ne());
                assertEquals(0, info.dataOffset() % 32);
                TensorData t = gguf.tensor("t." + type);
                assertArrayEquals(new long[] {3, 64}, t.shape());
                assertArrayEquals(Quantize.encode(type, values.get(type.name())).toArray(ValueLayout.JAVA_BYTE),
                        t.data().toArray(ValueLayout.JAVA_BYTE), type.name());
            }
            assertArrayEquals(new long[] {3}, gguf.tensor("t.odd").shape());
        }
        assertEquals(0, Files.size(file) % 32, "last tensor padded to the alignment");
        try (var listing = Files.list(dir)) {
            assertEquals(List.of(file), listing.toList(), "no temporary file left behind");
        }
    }

    @Test
    void typedGettersNameTheKey() throws IOException {
        Path file = dir.resolve("g.gguf");
        new GgufWriter().putString("s", "v").putUInt32("n", 5).putFloat32("f", 2.5)
                .putArray("l", GgufValueType.STRING, List.of("a")).write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertEquals("v", gguf.getString("s"));
            assertEquals(5L, gguf.getLong("n"));
            assertEquals(2.5, gguf.getDouble("f"));
            assertEquals(List.of("a"), gguf.getStringList("l"));
            assertFalse(gguf.optLong("absent").isPresent());
            var missing = assertThrows(ModelFormatException.class, () -> gguf.getString("absent.key"));
            assertTrue(missing.getMessage().contains("absent.key") && missing.getMessage().contains(file.toString()));
            var wrong = assertThrows(ModelFormatException.class, () -> gguf.getLong("s"));
            assertTrue(wrong.getMessage().contains("'s'") && wrong.getMessage().contains("STRING"), wrong.getMessage());
            assertThrows(ModelFormatException.class, () -> gguf.getLongList("l"));
        }
    }

    @Test
    void rejectsOtherVersionsAndByteOrders() throws IOException {
        assertProblem(new GgufBytes().u32(0x46554747).u32(1).u32(0).u32(0).bytes(), "version 1");
        assertProblem(new GgufBytes().u32(0x46554747).u32(0x03000000).u64(0).u64(0).bytes(), "big-endian");
        assertProblem(new GgufBytes().u32(0x46554747).u32(4).u64(0).u64(0).bytes(), "version 4");
        assertProblem(new GgufBytes().u32(0x4C4C5546).u32(3).bytes(), "magic");
        assertProblem(new byte[0], "magic");
    }

    @Test
    void unsupportedButKnownTypesFailOnlyWhenRead() throws IOException {
        GgufBytes b = new GgufBytes().u32(0x46554747).u32(3).u64(1).u64(0);
        b.tensorInfo("t.q4_1", 3, 0, 32).padTo(32).raw(new byte[20]);
        Path file = write(b.bytes());
        try (GgufFile gguf = GgufFile.open(file)) {
            var e = assertThrows(ModelFormatException.class, () -> gguf.tensor("t.q4_1"));
            assertTrue(e.getMessage().contains("Q4_1"), e.getMessage());
        }
    }

    private void assertProblem(byte[] bytes, String expectedText) throws IOException {
        Path file = write(bytes);
        var e = assertThrows(ModelFormatException.class, () -> GgufFile.open(file).close());
        assertTrue(e.getMessage().contains(expectedText) && e.getMessage().contains(file.toString()), e.getMessage());
    }

    private Path write(byte[] bytes) throws IOException {
        Path file = Files.createTempFile(dir, "t", ".gguf");
        Files.write(file, bytes);
        return file;
    }
}
