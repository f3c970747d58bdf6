package dev.pagoda.catalog.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.config.Architecture;
import dev.pagoda.catalog.gguf.GgufWriter;
import dev.pagoda.catalog.hub.HubCache;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Discovery over hand-built trees: the hub cache layout, nesting, link loops, broken and unreadable models. */
class ModelDiscoveryTest {

    @TempDir
    Path root;

    private final ModelDiscovery discovery = new ModelDiscovery();

    /** Writes a fixture into a hub snapshot the way huggingface_hub does: files are links into blobs/. */
    private Path hubSnapshot(Path repo, String revision, TestModels.Variant variant) throws IOException {
        Path staging = TestModels.write(variant, root.resolve("staging-" + revision));
        Path snapshot = Files.createDirectories(repo.resolve("snapshots").resolve(revision));
        Path blobs = Files.createDirectories(repo.resolve("blobs"));
        try (Stream<Path> files = Files.list(staging)) {
            for (Path f : files.toList()) {
                Path blob = Files.move(f, blobs.resolve(revision + "-" + f.getFileName()));
                Files.createSymbolicLink(snapshot.resolve(f.getFileName()), snapshot.relativize(blob));
            }
        }
        Files.delete(staging);
        return snapshot;
    }

    private static DiscoveredModel only(DiscoveryResult result) {
        assertEquals(1, result.models().size(), result.toString());
        return result.models().getFirst();
    }

    @Test
    void hubRepoUsesTheSnapshotRefsMainNamesEvenWhenANewerOneExists() throws IOException {
        Path repo = root.resolve("hub").resolve("models--acme--tiny-chat");
        Path pinned = hubSnapshot(repo, "aaaa1111", TestModels.llama());
        Path newer = hubSnapshot(repo, "bbbb2222", TestModels.qwen3());
        Files.setLastModifiedTime(pinned, FileTime.from(Instant.parse("2024-01-01T00:00:00Z")));
        Files.setLastModifiedTime(newer, FileTime.from(Instant.parse("2025-01-01T00:00:00Z")));
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs").resolve("main"), "aaaa1111"); // no newline, as huggingface_hub writes it

        DiscoveredModel m = only(discovery.scan(List.of(root.resolve("hub"))));
        assertEquals("acme/tiny-chat", m.name());
        assertEquals(pinned, m.path());
        assertEquals(Architecture.LLAMA, m.architecture());
        assertEquals(ModelFormat.HF_SAFETENSORS, m.format());
        // the snapshot holds links; the size is the blobs' bytes
        assertEquals(Files.size(repo.resolve("blobs").resolve("aaaa1111-model.safetensors")), m.sizeBytes());
        assertEquals(Files.size(repo.resolve("blobs").resolve("aaaa1111-model.safetensors")), Files.size(pinned.resolve("model.safetensors")));
    }

    @Test
    void hubRepoWithoutRefsMainUsesTheNewestSnapshot() throws IOException {
        Path repo = root.resolve("models--acme--tiny");
        Path older = hubSnapshot(repo, "1111", TestModels.qwen3());
        Path newest = hubSnapshot(repo, "0000", TestModels.mistral()); // sorts first by name: time decides
        Path middle = hubSnapshot(repo, "2222", TestModels.qwen2());
        Files.setLastModifiedTime(older, FileTime.from(Instant.parse("2024-01-01T00:00:00Z")));
        Files.setLastModifiedTime(middle, FileTime.from(Instant.parse("2024-06-01T00:00:00Z")));
        Files.setLastModifiedTime(newest, FileTime.from(Instant.parse("2025-01-01T00:00:00Z")));

        DiscoveredModel m = only(discovery.scan(List.of(root)));
        assertEquals("acme/tiny", m.name());
        assertEquals(newest, m.path());
        assertEquals(Architecture.MISTRAL, m.architecture());
    }

    @Test
    void refsMainNamingAMissingOrEscapingSnapshotFallsBackToTheNewest() throws IOException {
        Path repo = root.resolve("models--acme--tiny");
        Path only = hubSnapshot(repo, "cafe", TestModels.qwen3());
        Files.createDirectories(repo.resolve("refs"));
        for (String ref : List.of("deadbeef", "../../..", "..")) {
            Files.writeString(repo.resolve("refs").resolve("main"), ref + "\n");
            assertEquals(only, only(discovery.scan(List.of(root))).path(), ref);
        }
    }

    @Test
    void hubRepoWithGgufFilesNamesEachByRepoAndFile() throws IOException {
        Path snapshot = Files.createDirectories(root.resolve("models--acme--tiny-GGUF/snapshots/abc"));
        TestModels.writeGguf(TestModels.qwen3(), snapshot.resolve("tiny-Q8_0.gguf"), DType.Q8_0);
        TestModels.writeGguf(TestModels.qwen3(), snapshot.resolve("tiny-Q4_0.gguf"), DType.Q4_0);
        TestModels.writeGguf(TestModels.qwen3(), snapshot.resolve("F16/tiny-F16.gguf"), DType.F16); // per-quantization folder

        DiscoveryResult result = discovery.scan(List.of(root));
        assertEquals(List.of("acme/tiny-GGUF/tiny-F16", "acme/tiny-GGUF/tiny-Q4_0", "acme/tiny-GGUF/tiny-Q8_0"),
                result.models().stream().map(DiscoveredModel::name).toList());
        assertEquals(List.of("F16", "Q4_0", "Q8_0"), result.models().stream().map(DiscoveredModel::dtype).toList());
        assertEquals(List.of(), result.problems());
    }

    @Test
    void hubRepoWithoutSnapshotsOrWithAnEmptyOneIsAProblem() throws IOException {
        Files.createDirectories(root.resolve("models--acme--none/snapshots"));
        Files.createDirectories(root.resolve("models--acme--empty/snapshots/abc"));
        DiscoveryResult result = discovery.scan(List.of(root));
        assertEquals(List.of(), result.models());
        assertEquals(2, result.problems().size(), result.toString());
        assertEquals(root.resolve("models--acme--empty/snapshots/abc"), result.problems().get(0).path());
        assertTrue(result.problems().get(0).reason().contains("neither config.json nor .gguf"), result.toString());
        assertTrue(result.problems().get(1).reason().contains("no snapshot"), result.toString());
    }

    @Test
    void findsModelsInNestedFoldersUpToTheDepthLimit() {
        TestModels.write(TestModels.qwen2(), root.resolve("a/b/c/qwen2"));   // depth 3
        TestModels.write(TestModels.mistral(), root.resolve("a/mistral"));  // depth 1
        TestModels.writeGguf(TestModels.llama(), root.resolve("a/b/deep.gguf"), DType.F16);
        TestModels.write(TestModels.qwen3(), root.resolve("a/.hidden/qwen3"));

        assertEquals(List.of("deep", "mistral", "qwen2"),
                discovery.scan(List.of(root)).models().stream().map(DiscoveredModel::name).toList());
        assertEquals(List.of("deep", "mistral"),
                new ModelDiscovery(2).scan(List.of(root)).models().stream().map(DiscoveredModel::name).toList());
        assertEquals(List.of(), new ModelDiscovery(0).scan(List.of(root)).models());
    }

    @Test
    void symlinkLoopsEndAndEachModelIsListedOnce() throws IOException {
        TestModels.write(TestModels.qwen3(), root.resolve("models/qwen3"));
        TestModels.writeGguf(TestModels.qwen3(), root.resolve("models/q.gguf"), DType.Q8_0);
        Files.createSymbolicLink(root.resolve("models/qwen3-again"), root.resolve("models/qwen3"));
        Files.createSymbolicLink(root.resolve("models/q-again.gguf"), root.resolve("models/q.gguf"));
        Files.createSymbolicLink(root.resolve("models/up"), root);           // a loop back to an ancestor
        Files.createDirectories(root.resolve("x"));
        Files.createSymbolicLink(root.resolve("x/y"), root.resolve("z"));    // x/y -> z -> x: a two-link cycle
        Files.createSymbolicLink(root.resolve("z"), root.resolve("x"));

        DiscoveryResult result = discovery.scan(List.of(root, root.resolve("models")));
        assertEquals(List.of("q", "qwen3"), result.models().stream().map(DiscoveredModel::name).toList());
        assertEquals(List.of(), result.problems());
    }

    @Test
    void brokenAndUnreadableModelsAreProblemsAndTheScanGoesOn() throws IOException {
        TestModels.write(TestModels.qwen3(), root.resolve("good"));

        Path truncated = TestModels.write(TestModels.qwen3(), root.resolve("truncated"));
        byte[] st = Files.readAllBytes(truncated.resolve("model.safetensors"));
        Files.write(truncated.resolve("model.safetensors"), java.util.Arrays.copyOf(st, st.length / 2));

        Path badConfig = TestModels.write(TestModels.llama(), root.resolve("bad-config"));
        Files.writeString(badConfig.resolve("config.json"), "{\"architectures\": [\"LlamaForCausalLM\",");

        Path unsupported = TestModels.write(TestModels.llama(), root.resolve("unsupported"));
        Files.writeString(unsupported.resolve("config.json"),
                Files.readString(unsupported.resolve("config.json")).replace("LlamaForCausalLM", "GPT2LMHeadModel"));

        Path dangling = TestModels.write(TestModels.llama(), root.resolve("dangling"));
        Files.delete(dangling.resolve("model.safetensors"));
        Files.createSymbolicLink(dangling.resolve("model.safetensors"), root.resolve("blobs/gone"));

        Path missingShard = TestModels.write(TestModels.llama().withSharded(true), root.resolve("missing-shard"));
        Files.delete(missingShard.resolve("model-00002-of-00002.safetensors"));

        Path pytorch = Files.createDirectories(root.resolve("pytorch"));
        Files.copy(badConfig.resolveSibling("good").resolve("config.json"), pytorch.resolve("config.json"));
        Files.write(pytorch.resolve("pytorch_model.bin"), new byte[] {1, 2, 3});

        Files.write(root.resolve("garbage.gguf"), "not a gguf at all, just text".getBytes());
        Path truncatedGguf = TestModels.writeGguf(TestModels.llama(), root.resolve("cut.gguf"), DType.Q4_0);
        byte[] g = Files.readAllBytes(truncatedGguf);
        Files.write(truncatedGguf, java.util.Arrays.copyOf(g, g.length - 100));
        Files.createDirectories(root.resolve("folder.gguf")); // a folder named like a file: searched, not parsed

        DiscoveryResult result = discovery.scan(List.of(root, root.resolve("does-not-exist")));
        assertEquals(List.of("good"), result.models().stream().map(DiscoveredModel::name).toList());
        Map<String, String> expectedReasons = Map.of(
                "truncated", "model.safetensors: ",
                "bad-config", "config.json: ",
                "unsupported", "unsupported architecture GPT2LMHeadModel",
                "dangling", "model.safetensors",
                "missing-shard", "model-00002-of-00002.safetensors",
                "pytorch", "only PyTorch .bin weights",
                "garbage.gguf", "",
                "cut.gguf", "",
                "does-not-exist", "no such folder");
        assertEquals(expectedReasons.size(), result.problems().size(), result.problems().toString());
        expectedReasons.forEach((name, fragment) -> {
            DiscoveryProblem p = result.problems().stream().filter(x -> x.path().equals(root.resolve(name))).findFirst()
                    .orElseThrow(() -> new AssertionError("no problem for " + name + " in " + result.problems()));
            assertTrue(p.reason().contains(fragment), name + ": " + p.reason());
            assertTrue(!p.reason().isBlank() && !p.reason().contains("\n"), name + ": " + p.reason());
            assertTrue(!p.reason().contains(root.toString()), "reason repeats the path: " + p.reason());
        });
    }

    /** The metadata GgufSpecMapper needs for a one-layer llama, plus {@code extra} uint32 keys. */
    private static GgufWriter tinyLlamaHeader(Map<String, Long> extra) {
        GgufWriter w = new GgufWriter().putString("general.architecture", "llama")
                .putUInt32("llama.embedding_length", 64).putUInt32("llama.block_count", 1)
                .putUInt32("llama.attention.head_count", 4).putUInt32("llama.feed_forward_length", 128)
                .putUInt32("llama.context_length", 4096).putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5);
        extra.forEach(w::putUInt32);
        return w;
    }

    /** A model split into two GGUF parts as llama-gguf-split writes them: listed once, with both parts' tensors and bytes. */
    @Test
    void splitGgufIsOneModelWithAllPartsCounted() throws IOException {
        Path first = root.resolve("big-00001-of-00002.gguf");
        Path second = root.resolve("big-00002-of-00002.gguf");
        tinyLlamaHeader(Map.of("general.file_type", 15L, "split.no", 0L, "split.count", 2L))
                .addTensor("token_embd.weight", DType.F32, new long[] {10, 64}, new float[640])
                .write(first);
        new GgufWriter().putUInt32("split.no", 1).putUInt32("split.count", 2)
                .addTensor("blk.0.ffn_up.weight", DType.F32, new long[] {128, 64}, new float[128 * 64])
                .addTensor("output_norm.weight", DType.F32, new long[] {64}, new float[64])
                .write(second);

        DiscoveredModel m = only(discovery.scan(List.of(root)));
        assertEquals("big", m.name());
        assertEquals(first, m.path());
        assertEquals(640 + 128 * 64 + 64, m.parameterCount());
        assertEquals(Files.size(first) + Files.size(second), m.sizeBytes());
        assertEquals("Q4_K_M", m.dtype()); // general.file_type 15 = LLAMA_FTYPE_MOSTLY_Q4_K_M
        assertEquals(4096, m.contextLength());

        Files.delete(second);
        DiscoveryResult broken = discovery.scan(List.of(root));
        assertEquals(List.of(), broken.models());
        assertTrue(broken.problems().getFirst().reason().contains("big-00002-of-00002.gguf is missing"), broken.toString());
    }

    @Test
    void ggufWithoutFileTypeReportsTheTypeHoldingMostElementsAndSkipsRopeFactors() throws IOException {
        Path file = root.resolve("mixed.gguf");
        tinyLlamaHeader(Map.of())
                .addTensor("token_embd.weight", DType.F16, new long[] {10, 64}, new float[640])
                .addTensor("blk.0.ffn_up.weight", DType.Q8_0, new long[] {128, 64}, new float[128 * 64])
                .addTensor("output_norm.weight", DType.F32, new long[] {64}, new float[64])
                .addTensor("rope_freqs.weight", DType.F32, new long[] {8}, new float[8])
                .write(file);
        DiscoveredModel m = only(discovery.scan(List.of(file)));
        assertEquals("Q8_0", m.dtype());
        assertEquals(640 + 128 * 64 + 64, m.parameterCount());
    }

    @Test
    void hubCacheLocationFollowsHuggingfaceHubEnvironment() {
        Path home = Path.of("/home/u");
        assertEquals(Path.of("/c/hub"), HubCache.defaultLocation(Map.of("HF_HUB_CACHE", "/c/hub", "HF_HOME", "/h"), home));
        assertEquals(Path.of("/h/hub"), HubCache.defaultLocation(Map.of("HF_HOME", "/h", "XDG_CACHE_HOME", "/x"), home));
        assertEquals(Path.of("/x/huggingface/hub"), HubCache.defaultLocation(Map.of("XDG_CACHE_HOME", "/x"), home));
        assertEquals(Path.of("/home/u/.cache/huggingface/hub"), HubCache.defaultLocation(Map.of(), home));
    }
}
