package dev.pagoda.catalog.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Repo ids, model references, hub settings from the environment and --include globs, against huggingface_hub's rules. */
class HubNamesTest {

    @TempDir
    Path dir;

    @Test
    void repoIdsAreValidatedAsHuggingfaceHubDoes() {
        for (String ok : new String[] {"Qwen/Qwen2.5-0.5B-Instruct", "meta-llama/Llama-3.2-1B", "a/b", "user_1/x.y-z"}) {
            assertEquals(ok, RepoId.parse(ok).orElseThrow().toString(), ok);
        }
        // validate_repo_id refuses: '--' and '..', leading or trailing '-' and '.', other characters, '.git', > 96 characters
        for (String bad : new String[] {"Qwen", "a/b/c", "a--b/c", "a/b..c", "-a/b", "a/b.", "a/b c", "a/b.git", "a/" + "x".repeat(95),
                "/abs/path", "./rel", "../up/x"}) {
            assertTrue(RepoId.parse(bad).isEmpty(), bad);
        }
        assertEquals("models--Qwen--Qwen2.5-0.5B-Instruct", RepoId.parse("Qwen/Qwen2.5-0.5B-Instruct").orElseThrow().cacheFolderName());
    }

    @Test
    void referencesCarryARevisionAndAFile() {
        HubRef plain = HubRef.parse("Qwen/Qwen2.5-0.5B-Instruct").orElseThrow();
        assertEquals(new HubRef(new RepoId("Qwen", "Qwen2.5-0.5B-Instruct"), null, null), plain);
        assertEquals("main", plain.revisionOrDefault());
        HubRef pinned = HubRef.parse("Qwen/Qwen2.5-0.5B-Instruct@v1.0").orElseThrow();
        assertEquals("v1.0", pinned.revision());
        HubRef file = HubRef.parse("org/x-GGUF@refs/pr/1/sub/x-Q8_0.gguf").orElseThrow();
        assertEquals("refs", file.revision(), "a revision with '/' goes through --revision; after '@' it ends at the next '/'");
        assertEquals("pr/1/sub/x-Q8_0.gguf", file.file());
        assertEquals("sub/x.gguf", HubRef.parse("org/x/sub/x.gguf").orElseThrow().file());
        assertTrue(HubRef.parse("org/x/../../etc/passwd").isEmpty(), "no way out of the snapshot");
        assertTrue(HubRef.parse("org/x@..").isEmpty());

        assertEquals("v2", plain.withRevision("v2").revision());
        assertEquals(pinned, pinned.withRevision("v1.0"), "the same revision twice is fine");
        IllegalArgumentException clash = assertThrows(IllegalArgumentException.class, () -> pinned.withRevision("main"));
        assertEquals("Qwen/Qwen2.5-0.5B-Instruct@v1.0 and --revision main name different revisions; give one", clash.getMessage());
        assertEquals("refs/pr/1", plain.withRevision("refs/pr/1").revision());
    }

    @Test
    void settingsComeFromTheEnvironmentAsHuggingfaceHubReadsIt() throws IOException {
        Path home = dir.resolve("home");
        HubSettings none = HubSettings.fromEnvironment(Map.of(), home);
        assertEquals(URI.create("https://huggingface.co"), none.endpoint());
        assertEquals(Optional.empty(), none.token());
        assertFalse(none.offline());

        HubSettings env = HubSettings.fromEnvironment(Map.of("HF_ENDPOINT", "https://hf-mirror.com/", "HF_TOKEN", "hf_abc",
                "HF_HUB_OFFLINE", "1"), home);
        assertEquals(URI.create("https://hf-mirror.com"), env.endpoint(), "a trailing slash is dropped");
        assertEquals(Optional.of("hf_abc"), env.token());
        assertTrue(env.offline());
        for (String on : new String[] {"ON", "yes", "True"}) {
            assertTrue(HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", on), home).offline(), on);
        }
        assertFalse(HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", "0"), home).offline());

        // `huggingface-cli login` stores the token in $HF_HOME/token, else ~/.cache/huggingface/token
        Files.createDirectories(home.resolve(".cache/huggingface"));
        Files.writeString(home.resolve(".cache/huggingface/token"), "hf_from_login\n");
        assertEquals(Optional.of("hf_from_login"), HubSettings.fromEnvironment(Map.of(), home).token());
        Path hfHome = Files.createDirectories(dir.resolve("hf"));
        Files.writeString(hfHome.resolve("token"), "hf_home_token");
        assertEquals(Optional.of("hf_home_token"), HubSettings.fromEnvironment(Map.of("HF_HOME", hfHome.toString()), home).token());
        assertEquals(Optional.of("hf_abc"), HubSettings.fromEnvironment(Map.of("HF_HOME", hfHome.toString(), "HF_TOKEN", "hf_abc"), home)
                .token(), "HF_TOKEN wins");
        assertThrows(IllegalArgumentException.class, () -> HubSettings.fromEnvironment(Map.of("HF_ENDPOINT", "ftp://x"), home));
    }

    @Test
    void includeGlobsMatchAsPythonsFnmatch() {
        // expected values printed by Python 3.11: fnmatch.fnmatchcase(path, glob) (huggingface_hub's allow_patterns)
        Object[][] cases = {
                {"*.gguf", "model-Q8_0.gguf", true},
                {"*.gguf", "sub/model.gguf", true},
                {"*Q4_K_M*", "Q4_K_M/a-00001-of-00002.gguf", true},
                {"model-?????-of-*.safetensors", "model-00001-of-00002.safetensors", true},
                {"model-?????-of-*.safetensors", "model-1-of-2.safetensors", false},
                {"[!o]*.json", "original/params.json", false},
                {"[!o]*.json", "config.json", true},
                {"*.[jt]son", "x.json", true},
                {"*.[jt]son", "x.tson", true},
                {"config.json", "Config.json", false},
                {"a+b(c)", "a+b(c)", true},
                {"*.safetensors", "model.safetensors.index.json", false},
                {"original/*", "original/consolidated.pth", true},
        };
        for (Object[] c : cases) {
            assertEquals(c[2], FileSelection.fnmatch((String) c[0]).matcher((String) c[1]).matches(), c[0] + " ~ " + c[1]);
        }
    }

    @Test
    void urlsAreQuotedAsPythonsQuote() {
        // urllib.parse.quote(x, safe="") and quote(x) (safe="/"), as hf_hub_url and the listing use them
        assertEquals("refs%2Fpr%2F1", HubClient.HubUrls.quote("refs/pr/1", false));
        assertEquals("sub/a%20b%2Bc%C3%A9.gguf", HubClient.HubUrls.quote("sub/a b+cé.gguf", true));
        assertEquals("v1.0_x-y~z", HubClient.HubUrls.quote("v1.0_x-y~z", false));
        assertEquals("abc", HubClient.normalizeEtag("W/\"abc\""));
        assertEquals("abc", HubClient.normalizeEtag("\"abc\""));
    }
}
