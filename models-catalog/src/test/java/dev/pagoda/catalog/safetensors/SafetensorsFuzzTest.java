package dev.pagoda.catalog.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pagoda.catalog.ModelFormatException;
import dev.pagoda.catalog.config.HfConfigReader;
import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.catalog.testing.TestModels;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded corruption of real files: every outcome must be a clean open (the damage hit tensor
 * bytes only, which the format cannot detect) or exactly one {@link ModelFormatException} naming
 * the file — never an index exception, an NPE, an OOM, a raw Jackson exception or a hang.
 */
class SafetensorsFuzzTest {

    @TempDir
    Path tmp;

    private byte[] valid;

    @BeforeEach
    void writeValidFile() throws IOException {
        Path f = tmp.resolve("valid.safetensors");
        SplittableRandom r = new SplittableRandom(1);
        List<TensorData> tensors = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            byte[] bytes = new byte[4 * (1 + r.nextInt(20))];
            r.nextBytes(bytes);
            tensors.add(new TensorData("model.layers." + i + ".w", dev.pagoda.catalog.tensor.DType.F32,
                    new long[] {bytes.length / 4}, MemorySegment.ofArray(bytes)));
        }
        SafetensorsWriter.write(f, tensors, Map.of("format", "pt"));
        valid = Files.readAllBytes(f);
    }

    /** Opens {@code bytes} as a file; anything but success or a ModelFormatException naming it fails. */
    private void expectCleanOutcome(byte[] bytes, String what) {
        Path f = tmp.resolve("fuzz.safetensors");
        try {
            Files.write(f, bytes);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            for (String n : st.tensorNames()) {
                MemorySegment d = st.tensor(n).data();
                if (d.byteSize() > 0) d.get(ValueLayout.JAVA_BYTE, d.byteSize() - 1); // every view is readable
            }
        } catch (ModelFormatException e) {
            assertEquals(f, e.file(), what);
            assertTrue(e.getMessage().startsWith(f.toString() + ": "), what + ": " + e.getMessage());
        } catch (Throwable t) {
            fail(what + ": leaked " + t, t);
        }
    }

    @Test
    void truncationAtEveryLength() {
        // every cut inside the prefix and header, then every 7th byte of the data region
        for (int len = 0; len < valid.length; len += len < 8 + headerLength() + 16 ? 1 : 7) {
            expectCleanOutcome(java.util.Arrays.copyOf(valid, len), "truncated to " + len);
        }
    }

    @Test
    void randomByteFlips() {
        for (int seed = 0; seed < 300; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            byte[] b = valid.clone();
            int flips = 1 + r.nextInt(4);
            for (int i = 0; i < flips; i++) {
                // most flips land in the header, where they matter
                int pos = r.nextInt(4) == 0 ? r.nextInt(b.length) : 8 + r.nextInt(headerLength());
                b[pos] = (byte) r.nextInt(256);
            }
            expectCleanOutcome(b, "seed " + seed);
        }
    }

    @Test
    void absurdNumbersInTheHeader() {
        String[] replacements = {"4611686018427387904", "-1", "9223372036854775807", "18446744073709551616",
                "1e300", "0.5", "null", "\"8\"", "[]", "{}", "99999999999999999999999999999999999999"};
        String header = new String(valid, 8, headerLength(), StandardCharsets.UTF_8);
        byte[] data = java.util.Arrays.copyOfRange(valid, 8 + headerLength(), valid.length);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\d+").matcher(header);
        int seed = 0;
        while (m.find()) {
            for (String rep : replacements) {
                String h = header.substring(0, m.start()) + rep + header.substring(m.end());
                expectCleanOutcome(SafetensorsFileTest.handMade(h, data), "number #" + seed + " -> " + rep);
            }
            seed++;
        }
    }

    @Test
    void absurdHeaderLengthPrefixes() {
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 100; i++) {
            long n = switch (i % 4) {
                case 0 -> r.nextLong();
                case 1 -> 1L << r.nextInt(64);
                case 2 -> r.nextLong(valid.length * 2L);
                default -> headerLength() + r.nextInt(-8, 9);
            };
            byte[] b = valid.clone();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, n);
            expectCleanOutcome(b, "header length " + n);
        }
    }

    @Test
    void deeplyNestedJsonIsRejectedNotAStackOverflow() {
        String deep = "{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        expectCleanOutcome(SafetensorsFileTest.handMade(deep, new byte[0]), "deep nesting");
    }

    @Test
    void corruptConfigsAndIndexesGiveModelFormatExceptions() throws IOException {
        Path dir = TestModels.write(TestModels.qwen3().withSharded(true), tmp.resolve("m"));
        for (String name : List.of("config.json", "model.safetensors.index.json")) {
            byte[] original = Files.readAllBytes(dir.resolve(name));
            for (int seed = 0; seed < 100; seed++) {
                SplittableRandom r = new SplittableRandom(seed);
                byte[] b = seed % 3 == 0
                        ? java.util.Arrays.copyOf(original, r.nextInt(original.length))
                        : mutate(original, r);
                Files.write(dir.resolve(name), b);
                int s = seed;
                expectOneOf(() -> HfWeightSource.open(dir).close(), dir, name + " seed " + s);
                expectOneOf(() -> HfConfigReader.readFolder(dir), dir, name + " seed " + s);
            }
            Files.write(dir.resolve(name), original);
        }
    }

    private static byte[] mutate(byte[] original, SplittableRandom r) {
        byte[] b = original.clone();
        int flips = 1 + r.nextInt(3);
        for (int i = 0; i < flips; i++) {
            byte[] pool = "{}[]\":,0123456789-.e truefalsnul".getBytes(StandardCharsets.US_ASCII);
            b[r.nextInt(b.length)] = r.nextBoolean() ? pool[r.nextInt(pool.length)] : (byte) r.nextInt(256);
        }
        return b;
    }

    private static void expectOneOf(Runnable action, Path dir, String what) {
        try {
            action.run();
        } catch (ModelFormatException e) {
            assertTrue(e.file().startsWith(dir), what + ": " + e.getMessage());
        } catch (Throwable t) {
            fail(what + ": leaked " + t, t);
        }
    }

    private int headerLength() {
        return (int) ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

}
