package dev.pagoda.engine.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.config.Architecture;
import dev.pagoda.catalog.hub.HubCache;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --model ORG/NAME[@REV]} and {@code --revision} against a hub cache laid out by hand as
 * huggingface_hub documents it (refs/ naming commits, snapshots/ of relative links into blobs/).
 */
class HubModelLoaderTest {

    private static final String MAIN = "1111111111111111111111111111111111111111";
    private static final String V1 = "2222222222222222222222222222222222222222";

    @TempDir
    Path tmp;

    private Path hub;
    private ModelLoader loader;

    /** One snapshot of {@code variant} at {@code commit}, each file a link to its blob. */
    private void snapshot(String commit, TestModels.Variant variant) throws IOException {
        Path repo = hub.resolve("models--acme--tiny");
        Path staging = TestModels.write(variant, tmp.resolve("staging-" + commit));
        Path snapshot = Files.createDirectories(repo.resolve("snapshots").resolve(commit));
        Path blobs = Files.createDirectories(repo.resolve("blobs"));
        try (Stream<Path> files = Files.list(staging)) {
            for (Path f : files.toList()) {
                Path blob = Files.move(f, blobs.resolve(commit.substring(0, 8) + "-" + f.getFileName()));
                Files.createSymbolicLink(snapshot.resolve(f.getFileName()), snapshot.relativize(blob));
            }
        }
    }

    private void ref(String name, String commit) throws IOException {
        Path ref = hub.resolve("models--acme--tiny/refs").resolve(name);
        Files.createDirectories(ref.getParent());
        Files.writeString(ref, commit);
    }

    @BeforeEach
    void cache() throws IOException {
        hub = tmp.resolve("hub");
        snapshot(MAIN, TestModels.llama());
        snapshot(V1, TestModels.qwen3());
        ref("main", MAIN);
        ref("v1", V1);
        loader = new ModelLoader(null, HubCache.at(hub));
    }

    private LoadedModel load(String model, String revision) {
        return loader.load(model, revision, LoadFormat.AUTO, s -> DType.F32, 0);
    }

    private String failure(String model, String revision) {
        return assertThrows(IllegalArgumentException.class, () -> load(model, revision)).getMessage();
    }

    @Test
    void aRepoIdLoadsTheSnapshotItsRevisionNames() {
        try (LoadedModel m = load("acme/tiny", null)) {
            assertEquals(Architecture.LLAMA, m.spec().architecture(), "refs/main");
            assertEquals("acme/tiny", m.name(), "served under the repo id, as vLLM");
            assertEquals(hub.resolve("models--acme--tiny/snapshots/" + MAIN).toString(), m.source());
            assertTrue(m.tokenizer().isPresent() && m.chatTemplates().isPresent());
        }
        for (String[] pinned : new String[][] {{"acme/tiny@v1", null}, {"acme/tiny", "v1"}, {"acme/tiny", V1}, {"acme/tiny@2222222", null}}) {
            try (LoadedModel m = load(pinned[0], pinned[1])) {
                assertEquals(Architecture.QWEN3, m.spec().architecture(), String.join(" ", pinned[0], String.valueOf(pinned[1])));
                assertEquals("acme/tiny", m.name(), "the revision is not part of the name");
            }
        }
    }

    @Test
    void dummyWeightsTakeTheSnapshotsConfigAndTokenizer() {
        try (LoadedModel m = loader.load("acme/tiny@v1", null, LoadFormat.DUMMY, s -> DType.BF16, 3)) {
            assertEquals(Architecture.QWEN3, m.spec().architecture());
            assertEquals("BF16", m.weightDtype());
            assertTrue(m.tokenizer().isPresent());
        }
    }

    @Test
    void whatIsNotThereIsOneLineThatSaysHowToGetIt() {
        assertEquals("acme/other is not in the Hugging Face cache (" + hub + ") and is no local folder or file; "
                + "`pagoda pull acme/other` fetches it", failure("acme/other", null));
        assertEquals("revision v2 of acme/tiny is not in the Hugging Face cache (" + hub + ") and is no local folder or file; "
                + "`pagoda pull acme/tiny@v2` fetches it", failure("acme/tiny", "v2"));
        assertEquals("acme/tiny@v1 and --revision main name different revisions; give one", failure("acme/tiny@v1", "main"));
        Path local = TestModels.write(TestModels.llama(), tmp.resolve("local"));
        assertEquals("--revision applies to Hugging Face repo ids, and " + local + " is a local path", failure(local.toString(), "v1"));
        assertTrue(failure("not-a-repo", null).startsWith("no model at not-a-repo (neither a folder, a .gguf file nor a Hugging Face "
                + "repo id ORG/NAME"), failure("not-a-repo", null));
    }
}
