package dev.pagoda.catalog.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.discovery.DiscoveryResult;
import dev.pagoda.catalog.discovery.ModelDiscovery;
import dev.pagoda.catalog.testing.FakeHub;
import dev.pagoda.catalog.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pagoda pull} against {@link FakeHub}: the cache it writes is huggingface_hub's layout
 * (refs, snapshots of relative links, content-addressed blobs), interrupted downloads resume with
 * {@code Range}, corrupted bytes never enter the cache, and the hub's 401/404 answers become one
 * line each.
 */
class SnapshotDownloaderTest {

    private static final String REPO = "acme/tiny-llama";
    private static final String WEIGHTS = "model-00001-of-00002.safetensors";

    @TempDir
    Path dir;

    private FakeHub hub;
    private Path cacheRoot;
    private Map<String, FakeHub.Entry> published;
    private String commit;

    /** What the pull reported, in order. */
    private final List<String> events = new ArrayList<>();
    private final PullListener recording = new PullListener() {
        @Override
        public void cached(String file, long size) {
            events.add("cached " + file);
        }

        @Override
        public void started(String file, long size, long resumedFrom) {
            events.add("started " + file + " from " + resumedFrom);
        }

        @Override
        public void retrying(String file, long done, String reason) {
            events.add("retrying " + file + " at " + done);
        }

        @Override
        public void finished(String file, long size) {
            events.add("finished " + file);
        }
    };

    @BeforeEach
    void publish() throws IOException {
        hub = FakeHub.start();
        Path source = TestModels.write(TestModels.llama().withSharded(true), dir.resolve("source"));
        // what a real repo holds besides the model: left on the hub by default
        Files.writeString(source.resolve("README.md"), "# tiny llama\n");
        Files.createDirectories(source.resolve("original"));
        Files.write(source.resolve("original/consolidated.pth"), new byte[4096]);
        Files.write(source.resolve("pytorch_model.bin"), new byte[2048]);
        commit = hub.publish(REPO, source, "v1").sha();
        published = hub.files(REPO);
        cacheRoot = dir.resolve("hub");
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private SnapshotDownloader downloader(Optional<String> token) {
        HubSettings settings = new HubSettings(hub.endpoint(), token, false);
        return new SnapshotDownloader(new HubClient(settings, "pagoda-test", Duration.ofSeconds(5)), HubCache.at(cacheRoot),
                Duration.ZERO);
    }

    private SnapshotDownloader.Result pull(String ref, String... include) {
        return downloader(Optional.empty()).pull(HubRef.parse(ref).orElseThrow(), List.of(include), recording);
    }

    private Path repoFolder() {
        return cacheRoot.resolve("models--acme--tiny-llama");
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static final List<String> MODEL_FILES = List.of("config.json", "generation_config.json", "model-00001-of-00002.safetensors",
            "model-00002-of-00002.safetensors", "model.safetensors.index.json", "tokenizer.json", "tokenizer_config.json");

    @Test
    void aFullPullWritesHuggingfaceHubsLayout() throws Exception {
        SnapshotDownloader.Result result = pull(REPO);
        Path snapshot = repoFolder().resolve("snapshots").resolve(commit);
        assertEquals(snapshot, result.snapshot());
        assertEquals(commit, Files.readString(repoFolder().resolve("refs/main")), "refs/main: the commit, no newline");

        try (Stream<Path> files = Files.list(snapshot)) {
            assertEquals(MODEL_FILES, files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "only what serving needs: no README, no .bin, no original/");
        }
        long total = 0;
        for (String name : MODEL_FILES) {
            FakeHub.Entry e = published.get(name);
            Path pointer = snapshot.resolve(name);
            assertTrue(Files.isSymbolicLink(pointer), name);
            assertEquals(Path.of("../../blobs/" + e.etag()), Files.readSymbolicLink(pointer), name + ": a relative link into blobs/");
            assertArrayEquals(e.bytes(), Files.readAllBytes(pointer), name);
            // blob names as the hub's etags: SHA-256 of LFS files, the git blob id of the others
            assertEquals(name.endsWith(".safetensors") ? sha256(e.bytes()) : FakeHub.gitBlobId(e.bytes()), e.etag(), name);
            total += e.size();
        }
        assertEquals(total, result.bytes());
        assertEquals(total, result.downloadedBytes());
        try (Stream<Path> blobs = Files.list(repoFolder().resolve("blobs"))) {
            assertTrue(blobs.noneMatch(b -> b.toString().endsWith(".incomplete")));
        }
        assertTrue(Files.isDirectory(cacheRoot.resolve(".locks/models--acme--tiny-llama")));
        assertTrue(Files.readString(cacheRoot.resolve("CACHEDIR.TAG")).startsWith("Signature: 8a477f597d28d172789f06886806bc55\n"));

        // what serve and pagoda models then find
        assertEquals(snapshot, HubCache.at(cacheRoot).locate(HubRef.parse(REPO).orElseThrow()));
        DiscoveryResult found = new ModelDiscovery().scan(List.of(cacheRoot));
        assertEquals(List.of(REPO), found.models().stream().map(m -> m.name()).toList(), found.toString());

        // the token never went to the CDN, and there was none to send to the hub
        assertTrue(hub.requests().stream().noneMatch(FakeHub.Request::authorized));
    }

    @Test
    void aSecondPullDownloadsNothingAndATagSharesTheSnapshot() {
        pull(REPO);
        hub.clearRequests();
        events.clear();
        SnapshotDownloader.Result again = pull(REPO);
        assertEquals(0, again.downloadedBytes());
        assertEquals(MODEL_FILES.size(), events.stream().filter(e -> e.startsWith("cached")).count(), events.toString());
        assertEquals(1, hub.requests().size(), "only the listing: " + hub.requests());

        SnapshotDownloader.Result tag = pull(REPO + "@v1");
        assertEquals(0, tag.downloadedBytes());
        assertEquals(commit, readRef("v1"));
        Path byCommit = HubCache.at(cacheRoot).locate(HubRef.parse(REPO + "@" + commit).orElseThrow());
        assertEquals(tag.snapshot(), byCommit);
        assertEquals(tag.snapshot(), HubCache.at(cacheRoot).locate(HubRef.parse(REPO + "@" + commit.substring(0, 7)).orElseThrow()),
                "an abbreviated commit names its snapshot");
    }

    private String readRef(String name) {
        try {
            return Files.readString(repoFolder().resolve("refs").resolve(name));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aCutConnectionResumesWithARangeInTheSameRun() throws Exception {
        FakeHub.Entry weights = published.get(WEIGHTS);
        long cut = weights.size() / 2;
        hub.cutAt(weights.etag(), cut, 1);
        pull(REPO);
        List<FakeHub.Request> gets = hub.requestsTo("/lfs/" + weights.etag());
        assertEquals(2, gets.size(), gets.toString());
        assertNull(gets.get(0).range());
        assertEquals("bytes=" + cut + "-", gets.get(1).range(), "the second request asks only for the rest");
        assertTrue(events.contains("retrying " + WEIGHTS + " at " + cut), events.toString());
        assertArrayEquals(weights.bytes(), Files.readAllBytes(repoFolder().resolve("blobs").resolve(weights.etag())));
    }

    @Test
    void aPullThatGaveUpResumesWhereItStoppedOnTheNextRun() throws Exception {
        FakeHub.Entry weights = published.get(WEIGHTS);
        long cut = weights.size() / 3;
        hub.cutAt(weights.etag(), cut, 1 + SnapshotDownloader.MAX_RETRIES); // the first attempt, then every retry
        HubException e = assertThrows(HubException.class, () -> pull(REPO));
        assertTrue(e.getMessage().startsWith("the download of " + WEIGHTS + " broke off at " + cut + " of " + weights.size() + " bytes ("),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("); run the same pull again to resume from there"), e.getMessage());
        Path incomplete = repoFolder().resolve("blobs").resolve(weights.etag() + ".incomplete");
        assertEquals(cut, Files.size(incomplete), "what arrived is kept");
        assertFalse(Files.exists(repoFolder().resolve("blobs").resolve(weights.etag())));
        assertFalse(Files.exists(repoFolder().resolve("refs/main")), "no branch names a half-filled snapshot");

        hub.clearFaults();
        hub.clearRequests();
        events.clear();
        SnapshotDownloader.Result result = pull(REPO);
        List<FakeHub.Request> gets = hub.requestsTo("/lfs/" + weights.etag());
        assertEquals(1, gets.size(), gets.toString());
        assertEquals("bytes=" + cut + "-", gets.getFirst().range());
        assertTrue(events.contains("started " + WEIGHTS + " from " + cut), events.toString());
        assertArrayEquals(weights.bytes(), Files.readAllBytes(result.snapshot().resolve(WEIGHTS)), "resumed bytes hash right");
        assertFalse(Files.exists(incomplete));
        assertEquals(commit, readRef("main"));
    }

    @Test
    void corruptedBytesNeverEnterTheCache() {
        FakeHub.Entry weights = published.get(WEIGHTS);
        hub.corrupt(weights.etag());
        HubException lfs = assertThrows(HubException.class, () -> pull(REPO));
        assertTrue(lfs.getMessage().startsWith("checksum mismatch for " + WEIGHTS + " of " + REPO + ": expected sha256 "
                + weights.etag() + ", got "), lfs.getMessage());
        assertFalse(Files.exists(repoFolder().resolve("blobs").resolve(weights.etag())));
        assertFalse(Files.exists(repoFolder().resolve("blobs").resolve(weights.etag() + ".incomplete")), "a bad download is discarded");
        assertFalse(Files.exists(repoFolder().resolve("snapshots").resolve(commit).resolve(WEIGHTS)));

        hub.clearFaults();
        FakeHub.Entry config = published.get("config.json");
        hub.corrupt(config.etag());
        Path cacheOfConfig = repoFolder().resolve("blobs").resolve(config.etag());
        try {
            Files.deleteIfExists(repoFolder().resolve("snapshots").resolve(commit).resolve("config.json"));
            Files.deleteIfExists(cacheOfConfig);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        HubException git = assertThrows(HubException.class, () -> pull(REPO));
        assertTrue(git.getMessage().startsWith("checksum mismatch for config.json of " + REPO + ": expected git blob sha1 "
                + config.etag()), git.getMessage());
        assertFalse(Files.exists(cacheOfConfig));
    }

    @Test
    void aGatedRepoNeedsItsTokenAndTheTokenStaysOffTheCdn() {
        hub.requireToken(REPO, "hf_right");
        HubException none = assertThrows(HubException.class, () -> pull(REPO));
        assertEquals(REPO + " is gated: accept its terms at " + hub.endpoint() + "/" + REPO
                + " and set HF_TOKEN to a token of that account", none.getMessage());
        HubException wrong = assertThrows(HubException.class,
                () -> downloader(Optional.of("hf_wrong")).pull(HubRef.parse(REPO).orElseThrow(), List.of(), PullListener.NONE));
        assertEquals("401 Unauthorized for " + REPO + "@main: the token in HF_TOKEN was refused (expired or mistyped?)", wrong.getMessage());

        hub.knowToken("hf_other_account");
        HubException forbidden = assertThrows(HubException.class,
                () -> downloader(Optional.of("hf_other_account")).pull(HubRef.parse(REPO).orElseThrow(), List.of(), PullListener.NONE));
        assertEquals(REPO + " is gated: accept its terms at " + hub.endpoint() + "/" + REPO + " and set HF_TOKEN to a token of that "
                + "account (the token given has no access yet)", forbidden.getMessage(), "403 GatedRepo");

        hub.clearRequests();
        downloader(Optional.of("hf_right")).pull(HubRef.parse(REPO).orElseThrow(), List.of(), PullListener.NONE);
        List<FakeHub.Request> cdn = hub.requestsTo("/lfs/");
        assertFalse(cdn.isEmpty());
        assertTrue(cdn.stream().noneMatch(FakeHub.Request::authorized), "signed CDN URLs get no token: " + cdn);
        assertTrue(hub.requestsTo("/acme/").stream().allMatch(FakeHub.Request::authorized), "the hub itself gets it");
    }

    @Test
    void missingReposRevisionsAndFilesAreOneLineEach() {
        assertEquals("401: acme/none was not found on " + hub.endpoint() + " (if it is private or gated, set HF_TOKEN)",
                assertThrows(HubException.class, () -> pull("acme/none")).getMessage());
        assertEquals("revision nope was not found in " + REPO,
                assertThrows(HubException.class, () -> pull(REPO + "@nope")).getMessage());
        assertEquals("weights.gguf is not a file of " + REPO + "@main",
                assertThrows(HubException.class, () -> pull(REPO + "/weights.gguf")).getMessage());
        assertTrue(assertThrows(HubException.class, () -> pull(REPO, "*.onnx")).getMessage()
                .startsWith("no file of " + REPO + " matches --include *.onnx (files: "));
    }

    @Test
    void aGgufRepoNeedsItsFileChosen() throws IOException {
        Path gguf = Files.createDirectories(dir.resolve("gguf"));
        TestModels.writeGguf(TestModels.llama(), gguf.resolve("tiny-Q8_0.gguf"), dev.pagoda.catalog.tensor.DType.Q8_0);
        TestModels.writeGguf(TestModels.llama(), gguf.resolve("tiny-F32.gguf"), dev.pagoda.catalog.tensor.DType.F32);
        Files.writeString(gguf.resolve("README.md"), "quants");
        hub.publish("acme/tiny-GGUF", gguf);
        HubException two = assertThrows(HubException.class, () -> pull("acme/tiny-GGUF"));
        assertEquals("acme/tiny-GGUF holds 2 .gguf files; choose with --include, e.g. --include '*F32.gguf' (files: tiny-F32.gguf, "
                + "tiny-Q8_0.gguf)", two.getMessage());

        SnapshotDownloader.Result q8 = pull("acme/tiny-GGUF", "*Q8_0.gguf");
        try (Stream<Path> files = Files.list(q8.snapshot())) {
            assertEquals(List.of("tiny-Q8_0.gguf"), files.map(p -> p.getFileName().toString()).toList());
        }
        assertEquals(q8.snapshot().resolve("tiny-Q8_0.gguf"), HubCache.at(cacheRoot).locate(HubRef.parse("acme/tiny-GGUF").orElseThrow()),
                "one .gguf in the snapshot: that is the model");
        pull("acme/tiny-GGUF/tiny-F32");
        HubCache cache = HubCache.at(cacheRoot);
        assertEquals(q8.snapshot().resolve("tiny-F32.gguf"), cache.locate(HubRef.parse("acme/tiny-GGUF/tiny-F32").orElseThrow()));
        IllegalArgumentException ambiguous = assertThrows(IllegalArgumentException.class,
                () -> cache.locate(HubRef.parse("acme/tiny-GGUF").orElseThrow()));
        assertTrue(ambiguous.getMessage().startsWith("acme/tiny-GGUF holds 2 .gguf files; name one, e.g. acme/tiny-GGUF/tiny-F32.gguf"),
                ambiguous.getMessage());
    }

    @Test
    void offlineModeRefusesToPull() {
        HubSettings offline = new HubSettings(hub.endpoint(), Optional.empty(), true);
        SnapshotDownloader d = new SnapshotDownloader(new HubClient(offline, "t", Duration.ofSeconds(1)), HubCache.at(cacheRoot),
                Duration.ZERO);
        HubException e = assertThrows(HubException.class, () -> d.pull(HubRef.parse(REPO).orElseThrow(), List.of(), PullListener.NONE));
        assertTrue(e.getMessage().startsWith("HF_HUB_OFFLINE is set"), e.getMessage());
        assertTrue(hub.requests().isEmpty());
    }

    @Test
    void notInTheCacheSaysHowToPull() {
        HubCache cache = HubCache.at(cacheRoot);
        assertEquals("acme/tiny-llama is not in the Hugging Face cache (" + cacheRoot.toAbsolutePath() + ") and is no local folder or "
                        + "file; `pagoda pull acme/tiny-llama` fetches it",
                assertThrows(IllegalArgumentException.class, () -> cache.locate(HubRef.parse(REPO).orElseThrow())).getMessage());
        pull(REPO);
        assertEquals("revision v2 of acme/tiny-llama is not in the Hugging Face cache (" + cacheRoot.toAbsolutePath() + ") and is no "
                        + "local folder or file; `pagoda pull acme/tiny-llama@v2` fetches it",
                assertThrows(IllegalArgumentException.class, () -> cache.locate(HubRef.parse(REPO + "@v2").orElseThrow())).getMessage());
        assertTrue(cache.snapshot(HubRef.parse(REPO).orElseThrow().repo(), "main").isPresent());
        assertEquals(new TreeSet<>(MODEL_FILES), new TreeSet<>(List.of(cache.locate(HubRef.parse(REPO).orElseThrow()).toFile().list())));
    }
}
