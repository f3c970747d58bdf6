package dev.pagoda.catalog.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pagoda.catalog.ModelFormatException;
import dev.pagoda.catalog.quant.Dequantize;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corrupted and hostile GGUF files must fail with exactly a {@link ModelFormatException} naming
 * the file: never an OOM, a hang, an index exception or a NullPointerException.
 */
class GgufFuzzTest {

    @TempDir
    Path dir;
    private Path target;
    private byte[] valid;

    @BeforeEach
    void writeValidFile() throws IOException {
        Path source = dir.resolve("valid.gguf");
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", "llama")
                .putUInt32("llama.block_count", 2)
                .putFloat32("llama.rope.freq_base", 10000)
                .putArray("tokenizer.ggml.tokens", GgufValueType.STRING, List.of("a", "b", "cd"))
                .putArray("nested", GgufValueType.ARRAY, List.of(new GgufArray(GgufValueType.INT32, List.of(1, 2))));
        w.addTensor("t.f32", DType.F32, new long[] {2, 32}, new float[64]);
        w.addTensor("t.q8", DType.Q8_0, new long[] {2, 32}, new float[64]);
        w.addTensor("t.q4", DType.Q4_0, new long[] {1, 64}, new float[64]);
        w.write(source);
        valid = Files.readAllBytes(source);
        target = dir.resolve("fuzzed.gguf");
    }

    @Test
    void truncatedAtEveryLength() throws IOException {
        long dataEnd; // the trailing padding after the last tensor is optional
        try (GgufFile f = GgufFile.open(dir.resolve("valid.gguf"))) {
            GgufTensorInfo last = f.tensorInfos().getLast();
            dataEnd = f.dataStart() + last.dataOffset() + last.byteSize();
        }
        for (int length = 0; length < dataEnd; length++) {
            byte[] cut = java.util.Arrays.copyOf(valid, length);
            expectFailure(cut, "truncated at " + length);
        }
    }

    @Test
    void randomByteFlips() throws IOException {
        for (int seed = 0; seed < 600; seed++) {
            Random random = new Random(seed);
            byte[] bytes = valid.clone();
            int flips = 1 + random.nextInt(6);
            for (int i = 0; i < flips; i++) {
                int at = random.nextInt(random.nextBoolean() ? Math.min(400, bytes.length) : bytes.length);
                bytes[at] = switch (random.nextInt(3)) {
                    case 0 -> (byte) random.nextInt();
                    case 1 -> (byte) (bytes[at] ^ (1 << random.nextInt(8)));
                    default -> (byte) 0xFF;
                };
            }
            openAndReadEverything(bytes, "seed " + seed);
        }
    }

    @Test
    void absurdCountsAndLengths() throws IOException {
        long[] huge = {1L << 62, 1L << 40, -1L, Long.MAX_VALUE, 1L << 31};
        for (long h : huge) {
            String c = "value " + Long.toUnsignedString(h);
            expectFailure(header(h, 0).bytes(), "tensor count " + c);
            expectFailure(header(0, h).bytes(), "kv count " + c);
            expectFailure(header(0, 1).u64(h).bytes(), "key length " + c);
            expectFailure(header(0, 1).str("k").u32(8).u64(h).bytes(), "string length " + c);
            expectFailure(header(0, 1).str("k").u32(9).u32(0).u64(h).bytes(), "array count " + c);
            expectFailure(header(0, 1).str("k").u32(9).u32(9).u64(h).bytes(), "nested array count " + c);
            expectFailure(header(1, 0).tensorInfo("t", 0, 0, h).padTo(32).raw(new byte[64]).bytes(), "dim " + c);
            expectFailure(header(1, 0).tensorInfo("t", 0, h, 4).padTo(32).raw(new byte[64]).bytes(), "offset " + c);
        }
        expectFailure(header(1, 0).tensorInfo("t", 0, 0, 1L << 20, 1L << 20, 1L << 20, 1L << 20)
                .padTo(32).bytes(), "element count overflow");
        expectFailure(header(1, 0).tensorInfo("t", 0, 0, 1L << 30, 1L << 30).padTo(32).bytes(), "tensor past end");
        expectFailure(header(1, 0).tensorInfo("t", 0, 16, 4).padTo(32).raw(new byte[64]).bytes(), "unaligned offset");
        expectFailure(header(1, 0).tensorInfo("t", 0, 0, 1, 1, 1, 1, 1).padTo(32).raw(new byte[64]).bytes(), "5 dims");
        expectFailure(header(1, 0).tensorInfo("t", 0, 0).padTo(32).bytes(), "0 dims");
        expectFailure(header(1, 0).tensorInfo("t", 99, 0, 4).padTo(32).raw(new byte[64]).bytes(), "unknown type");
        expectFailure(header(1, 0).tensorInfo("t", 8, 0, 33).padTo(32).raw(new byte[64]).bytes(), "partial block");
        expectFailure(header(2, 0).tensorInfo("t", 0, 0, 4).tensorInfo("t", 0, 0, 4).padTo(32).raw(new byte[64]).bytes(), "duplicate tensor");
        expectFailure(header(0, 2).str("k").u32(4).u32(1).str("k").u32(4).u32(1).bytes(), "duplicate key");
        expectFailure(header(0, 1).str("k").u32(13).u32(1).bytes(), "unknown value type");
        expectFailure(header(0, 1).str("k").u32(7).u8(2).bytes(), "bool 2");
        expectFailure(header(0, 1).str("general.alignment").u32(4).u32(48).bytes(), "alignment 48");
        expectFailure(header(0, 1).str("general.alignment").u32(5).u32(32).bytes(), "alignment int32");
        GgufBytes deep = header(0, 1).str("k");
        for (int i = 0; i < 200; i++) deep.u32(9).u32(9).u64(1); // array of array of ... 200 deep
        expectFailure(deep.u32(9).u32(0).u64(0).bytes(), "deep nesting");
    }

    private static GgufBytes header(long tensors, long kvs) {
        return new GgufBytes().u32(0x46554747).u32(3).u64(tensors).u64(kvs);
    }

    private void expectFailure(byte[] bytes, String what) throws IOException {
        Files.write(target, bytes);
        try (GgufFile f = GgufFile.open(target)) {
            fail(what + ": opened a corrupt file with " + f.tensorInfos().size() + " tensors");
        } catch (ModelFormatException e) {
            assertEquals(target, e.file(), what);
            assertTrue(e.getMessage().startsWith(target.toString()), what + ": " + e.getMessage());
        } catch (Throwable t) {
            throw new AssertionError(what + ": expected ModelFormatException, got " + t, t);
        }
    }

    /** Either open succeeds and everything can be read, or exactly a ModelFormatException comes out. */
    private void openAndReadEverything(byte[] bytes, String what) throws IOException {
        Files.write(target, bytes);
        try (GgufFile f = GgufFile.open(target)) {
            f.metadata().forEach((k, v) -> String.valueOf(v));
            for (GgufTensorInfo info : f.tensorInfos()) {
                try {
                    TensorData t = f.tensor(info.name());
                    if (Dequantize.canDecode(t.dtype()) && t.elementCount() < 1_000_000) Dequantize.toFloats(t);
                } catch (ModelFormatException e) {
                    assertEquals(target, e.file(), what);
                }
            }
        } catch (ModelFormatException e) {
            assertEquals(target, e.file(), what);
        } catch (Throwable t) {
            throw new AssertionError(what + ": expected ModelFormatException, got " + t, t);
        }
    }
}
