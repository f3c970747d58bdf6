package dev.pagoda.webapi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.catalog.config.Architecture;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.testing.TestModels;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code pagoda models --dir DIR} over a tree holding every fixture variant as an HF folder, some
 * as GGUF files, a fake HF hub cache and a broken model. Expected values are computed here from
 * the files themselves: parameters by summing the tensor shapes in the safetensors and GGUF
 * headers (parsed in this test, not by the catalog), sizes from the file system, context from
 * config.json.
 */
class ModelsCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tree;

    /** What each listed model must show, by name. */
    record Expected(String arch, long parameters, String dtype, long sizeBytes, int context, Path path) {}

    private static final Map<String, Expected> EXPECTED = new LinkedHashMap<>();
    private static Path broken;

    @BeforeAll
    static void writeTree() throws IOException {
        List<TestModels.Variant> variants = new java.util.ArrayList<>(TestModels.all());
        variants.add(TestModels.qwen3().withDType(DType.BF16));
        variants.add(TestModels.llama().withDType(DType.F16).withSharded(true));
        variants.add(TestModels.tiedLlama().withSharded(true).withSeed(7));
        Map<TestModels.Variant, Expected> hfExpected = new HashMap<>();
        for (TestModels.Variant v : variants) {
            Path folder = TestModels.write(v, tree.resolve("hf").resolve(v.name()));
            Expected e = expectedHf(v, folder);
            hfExpected.put(v, e);
            EXPECTED.put(v.name(), e);
        }
        Map<TestModels.Variant, DType> ggufs = Map.of(TestModels.llama(), DType.Q8_0, TestModels.mistral(), DType.F16,
                TestModels.qwen2(), DType.F32, TestModels.qwen3(), DType.Q4_0, TestModels.tiedLlama(), DType.Q4_0);
        for (var g : ggufs.entrySet()) {
            TestModels.Variant v = g.getKey();
            String name = v.name() + "-" + g.getValue();
            Path file = TestModels.writeGguf(v, tree.resolve("gguf").resolve(name + ".gguf"), g.getValue());
            Expected hf = hfExpected.get(v);
            // rope_freqs.weight (Llama-3 RoPE factors) is no parameter; the rest are the HF folder's weights
            Map<String, Long> tensors = new HashMap<>(GgufTensorShapes.elementCounts(file));
            assertEquals(v.architecture() == Architecture.LLAMA, tensors.remove("rope_freqs.weight") != null, name);
            long parameters = tensors.values().stream().mapToLong(Long::longValue).sum();
            assertEquals(hf.parameters(), parameters, name + ": GGUF and HF hold the same number of weights");
            String arch = v.architecture() == Architecture.MISTRAL ? "llama" : hf.arch(); // a Mistral GGUF says "llama"
            EXPECTED.put(name, new Expected(arch, parameters, g.getValue().name(), Files.size(file), hf.context(), file));
        }
        Path repo = tree.resolve("cache/hub/models--acme--tiny-qwen3");
        Path snapshot = TestModels.write(TestModels.qwen3().withDType(DType.BF16), repo.resolve("snapshots/abc123"));
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), "abc123");
        EXPECTED.put("acme/tiny-qwen3", expectedHf(TestModels.qwen3().withDType(DType.BF16), snapshot));

        broken = TestModels.write(TestModels.qwen2(), tree.resolve("hf/broken-qwen2"));
        try (FileChannel ch = FileChannel.open(broken.resolve("model.safetensors"), java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 1000);
        }
    }

    private static Expected expectedHf(TestModels.Variant v, Path folder) throws IOException {
        long parameters = 0, size = 0;
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".safetensors")).toList()) {
                parameters += elementsInSafetensors(f);
                size += Files.size(f);
            }
        }
        int context = JSON.readTree(folder.resolve("config.json").toFile()).get("max_position_embeddings").asInt();
        return new Expected(v.architecture().hfModelType, parameters, v.dtype().name(), size, context, folder);
    }

    /** Sum of shape products in a safetensors header: u64 little-endian length, then that much JSON. */
    private static long elementsInSafetensors(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode header = JSON.readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
        long total = 0;
        for (var it = header.properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().equals("__metadata__")) continue;
            long n = 1;
            for (JsonNode d : e.getValue().get("shape")) n *= d.asLong();
            total += n;
        }
        return total;
    }

    record Run(int exitCode, String out, String err) {}

    private static Run pagoda(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cli = PagodaCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void jsonListsEveryFixtureWithItsParametersDtypeSizeAndContextAndTheBrokenOneAsAProblem() throws IOException {
        Run run = pagoda("models", "--dir", tree.toString(), "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode root = JSON.readTree(run.out());
        Map<String, JsonNode> listed = new LinkedHashMap<>();
        for (JsonNode m : root.get("models")) listed.put(m.get("name").asText(), m);
        assertEquals(new java.util.TreeSet<>(EXPECTED.keySet()), new java.util.TreeSet<>(listed.keySet()));
        EXPECTED.forEach((name, e) -> {
            JsonNode m = listed.get(name);
            assertEquals(e.arch(), m.get("architecture").asText(), name);
            assertEquals(e.parameters(), m.get("parameters").asLong(), name);
            assertEquals(e.dtype(), m.get("dtype").asText(), name);
            assertEquals(e.sizeBytes(), m.get("sizeBytes").asLong(), name);
            assertEquals(e.context(), m.get("contextLength").asInt(), name);
            assertEquals(e.path().toString(), m.get("path").asText(), name);
            assertEquals(name.endsWith(".gguf") || e.path().toString().endsWith(".gguf") ? "gguf" : "hf_safetensors",
                    m.get("format").asText(), name);
        });
        JsonNode problems = root.get("problems");
        assertEquals(1, problems.size(), problems.toString());
        assertEquals(broken.toString(), problems.get(0).get("path").asText());
        assertTrue(problems.get(0).get("reason").asText().startsWith("model.safetensors: "), problems.toString());
    }

    @Test
    void tableHasOneAlignedRowPerModelThenTheProblems() {
        Run run = pagoda("models", "--dir", tree.toString());
        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = run.out().lines().toList();
        assertEquals(List.of("NAME", "ARCH", "PARAMS", "DTYPE", "SIZE", "CONTEXT", "PATH"),
                Arrays.asList(lines.getFirst().split(" {2,}")));
        int pathColumn = lines.getFirst().indexOf("PATH");
        EXPECTED.forEach((name, e) -> {
            String row = lines.stream().filter(l -> l.startsWith(name + " ")).findFirst()
                    .orElseThrow(() -> new AssertionError("no row for " + name + " in\n" + run.out()));
            assertEquals(List.of(name, e.arch(), ModelsCommand.humanCount(e.parameters()), e.dtype(),
                    ModelsCommand.humanBytes(e.sizeBytes()), Integer.toString(e.context()), e.path().toString()),
                    Arrays.asList(row.split(" {2,}")), row);
            assertEquals(pathColumn, row.indexOf(e.path().toString()), "columns aligned: " + row);
        });
        assertEquals(1 + EXPECTED.size(), lines.indexOf("") , run.out());
        assertEquals("Problems (1):", lines.get(lines.indexOf("") + 1));
        assertTrue(lines.get(lines.indexOf("") + 2).startsWith("  " + broken + ": model.safetensors: "), run.out());
    }

    @Test
    void missingFolderIsAProblemLineNotAFailure() {
        Path missing = tree.resolve("no-such-dir");
        Run run = pagoda("models", "--dir", missing.toString());
        assertEquals(0, run.exitCode());
        assertEquals(List.of("No models found in " + missing + ".", "", "Problems (1):", "  " + missing + ": no such folder"),
                run.out().lines().toList());
        assertEquals("", run.err());
    }

    @Test
    void humanUnitsMatchHandComputedValues() {
        assertEquals("494M", ModelsCommand.humanCount(494_032_768L));   // Qwen2.5-0.5B
        assertEquals("8.0B", ModelsCommand.humanCount(8_030_261_248L)); // Llama-3-8B
        assertEquals("1.5B", ModelsCommand.humanCount(1_543_714_304L));
        assertEquals("135M", ModelsCommand.humanCount(134_515_008L));
        assertEquals("7.5M", ModelsCommand.humanCount(7_450_000L));
        assertEquals("180K", ModelsCommand.humanCount(180_224L));
        assertEquals("999", ModelsCommand.humanCount(999L));
        assertEquals("0.5 MiB", ModelsCommand.humanBytes(524_288L));
        assertEquals("942.3 MiB", ModelsCommand.humanBytes(988_072_755L)); // 988072755 / 2^20 = 942.30
        assertEquals("15.0 GiB", ModelsCommand.humanBytes(16_106_127_360L)); // 15 * 2^30
    }
}
