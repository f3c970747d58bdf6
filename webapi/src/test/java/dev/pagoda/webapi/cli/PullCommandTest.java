package dev.pagoda.webapi.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.catalog.hub.SnapshotDownloader;
import dev.pagoda.catalog.testing.FakeHub;
import dev.pagoda.catalog.testing.TestModels;
import dev.pagoda.catalog.tokenizer.Tokenizers;
import dev.pagoda.webapi.testing.Http;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code pagoda pull} then {@code pagoda serve ORG/NAME}, end to end against {@link FakeHub}: the
 * pulled tiny model is served under its repo id and answers with its own tokenizer; the hub's
 * refusals and a broken download are one line each, and the next pull resumes.
 */
class PullCommandTest {

    private static final String REPO = "acme/tiny-chat";

    @TempDir
    Path dir;

    private FakeHub hub;
    private Path source;
    private String commit;
    private final Map<String, String> env = new HashMap<>();

    private record Run(int exit, String out, String err) {}

    @BeforeEach
    void publish() {
        hub = FakeHub.start();
        source = TestModels.write(TestModels.llama(), dir.resolve("source"));
        commit = hub.publish(REPO, source).sha();
        env.put("HF_ENDPOINT", hub.endpoint().toString());
        env.put("HF_HUB_CACHE", dir.resolve("hub").toString());
        env.put("HF_HOME", dir.resolve("hf-home").toString()); // no token file from this machine's login
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private Run pagoda(String... args) {
        CommandLine cli = PagodaCli.commandLine(new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                return cls == PullCommand.class ? cls.cast(new PullCommand(env)) : CommandLine.defaultFactory().create(cls);
            }
        });
        StringWriter out = new StringWriter(), err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void pullThenServeTheRepoId() {
        Run pull = pagoda("pull", REPO);
        assertEquals(0, pull.exit(), pull.err());
        assertTrue(pull.out().startsWith("Pulling " + REPO + " from " + hub.endpoint() + " into " + dir.resolve("hub") + "\n"), pull.out());
        assertTrue(pull.out().contains("model.safetensors: downloading 547.4 KiB\n"), pull.out());
        assertTrue(pull.out().contains("model.safetensors: done, 547.4 KiB in "), pull.out());
        long total = 0;
        for (FakeHub.Entry e : hub.files(REPO).values()) total += e.size();
        assertTrue(pull.out().contains("5 files at " + commit + ", " + PullProgress.human(total) + "\n"), pull.out());
        assertTrue(pull.out().contains("Pulled " + REPO + " at " + commit + ": 5 files"), pull.out());
        assertTrue(pull.out().endsWith("Serve it: pagoda serve " + REPO + "\n"), pull.out());

        ServeCommand serve = new ServeCommand(EngineLauncher.local());
        new CommandLine(serve).parseArgs(REPO, "--download-dir", dir.resolve("hub").toString(), "--host", "127.0.0.1", "--port", "0",
                "--max-model-len", "128", "--kv-cache-memory", "4MiB", "--threads", "2");
        try (ServeCommand.Running running = serve.start(new PrintWriter(new StringWriter()))) {
            assertEquals(REPO, running.engine().model().servedName(), "served under the repo id, as vLLM names it");
            Http http = new Http(URI.create("http://127.0.0.1:" + running.server().port()), null);
            assertEquals(REPO, http.get("/v1/models").json().at("/data/0/id").asText());
            JsonNode tokens = http.post("/tokenize", "{\"prompt\":\"hello world\",\"add_special_tokens\":false}").json();
            int[] ids = new int[tokens.get("tokens").size()];
            for (int i = 0; i < ids.length; i++) ids[i] = tokens.get("tokens").get(i).asInt();
            assertArrayEquals(Tokenizers.load(source).encode("hello world", false), ids, "the pulled tokenizer.json");
            Http.Reply reply = http.post("/v1/chat/completions", "{\"model\":\"" + REPO + "\",\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"hi\"}],\"max_tokens\":4,\"ignore_eos\":true}");
            assertEquals(200, reply.status(), reply.body());
            assertEquals(4, reply.json().at("/usage/completion_tokens").asInt());
        }
        Run listed = pagoda("models", "--dir", dir.resolve("hub").toString());
        assertTrue(listed.out().lines().anyMatch(l -> l.startsWith(REPO + " ")), listed.out());
    }

    @Test
    void aModelNotPulledYetSaysHowToGetIt() {
        ServeCommand serve = new ServeCommand(EngineLauncher.local());
        new CommandLine(serve).parseArgs(REPO, "--download-dir", dir.resolve("hub").toString());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> serve.start(new PrintWriter(new StringWriter())));
        assertEquals(REPO + " is not in the Hugging Face cache (" + dir.resolve("hub") + ") and is no local folder or file; "
                + "`pagoda pull " + REPO + "` fetches it", e.getMessage());
    }

    @Test
    void refusalsAndBreaksAreOneLineAndTheNextPullResumes() throws Exception {
        hub.requireToken(REPO, "hf_secret");
        Run noToken = pagoda("pull", REPO);
        assertEquals(2, noToken.exit());
        assertEquals("pagoda: " + REPO + " is gated: accept its terms at " + hub.endpoint() + "/" + REPO
                + " and set HF_TOKEN to a token of that account\n", noToken.err());

        env.put("HF_TOKEN", "hf_secret");
        FakeHub.Entry weights = hub.files(REPO).get("model.safetensors");
        long cut = weights.size() / 4;
        hub.cutAt(weights.etag(), cut, 1 + SnapshotDownloader.MAX_RETRIES);
        Run broken = pagoda("pull", REPO);
        assertEquals(2, broken.exit());
        assertTrue(broken.err().startsWith("pagoda: the download of model.safetensors broke off at " + cut + " of " + weights.size()),
                broken.err());
        assertEquals(1, broken.err().lines().count(), broken.err());

        hub.clearFaults();
        Run resumed = pagoda("pull", REPO);
        assertEquals(0, resumed.exit(), resumed.err());
        assertTrue(resumed.out().contains("config.json: in the cache already"), resumed.out());
        assertTrue(resumed.out().contains("model.safetensors: resuming at 136.8 KiB of 547.4 KiB"), resumed.out());
        Path pulled = dir.resolve("hub/models--acme--tiny-chat/snapshots").toFile().listFiles()[0].toPath();
        assertArrayEquals(Files.readAllBytes(source.resolve("model.safetensors")), Files.readAllBytes(pulled.resolve("model.safetensors")));

        hub.corrupt(hub.files(REPO).get("tokenizer.json").etag());
        Files.delete(pulled.resolve("tokenizer.json"));
        Files.delete(dir.resolve("hub/models--acme--tiny-chat/blobs").resolve(hub.files(REPO).get("tokenizer.json").etag()));
        Run corrupt = pagoda("pull", REPO);
        assertEquals(2, corrupt.exit());
        assertTrue(corrupt.err().startsWith("pagoda: checksum mismatch for tokenizer.json of " + REPO + ": expected git blob sha1 "),
                corrupt.err());

        assertEquals("pagoda: 'tiny' is not a Hugging Face repo id (ORG/NAME, optionally @REVISION)\n", pagoda("pull", "tiny").err());
        assertEquals("pagoda: revision v9 was not found in " + REPO + "\n", pagoda("pull", REPO, "--revision", "v9").err());
        env.put("HF_HUB_OFFLINE", "1");
        assertTrue(pagoda("pull", REPO).err().startsWith("pagoda: HF_HUB_OFFLINE is set"));
    }
}
