package dev.pagoda.installers.packages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The OCI image tarball read as the OCI image-layout spec says (index -> manifest -> config and
 * layers, each blob named by its digest). Running it: installers/check-image.sh (podman).
 */
class OciImageIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path layout;

    private JsonNode blob(String digest) throws IOException {
        Path file = layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
        assertEquals(digest, "sha256:" + sha256(file), "a blob's name is its digest");
        return JSON.readTree(file.toFile());
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theImageServesAsNonRootOnPort8000WithPagodaServeAsEntrypoint() throws IOException {
        Built.ok("tar", "-xf", Built.existing(Built.IMAGE).toString(), "-C", layout.toString());
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        JsonNode manifestRef = index.get("manifests").get(0);
        assertEquals("pagoda:" + Built.VERSION, manifestRef.get("annotations").get("org.opencontainers.image.ref.name").asString());
        JsonNode manifest = blob(manifestRef.get("digest").asString());
        assertEquals("application/vnd.oci.image.manifest.v1+json", manifest.get("mediaType").asString());
        JsonNode config = blob(manifest.get("config").get("digest").asString());
        JsonNode c = config.get("config");

        assertEquals(List.of("/opt/pagoda/bin/pagoda", "serve"), strings(c.get("Entrypoint")));
        assertTrue(c.get("ExposedPorts").has("8000/tcp"));
        String user = c.get("User").asString();
        assertFalse(user.isEmpty() || user.equals("0") || user.startsWith("0:") || user.equals("root"), user);
        assertTrue(c.get("Volumes").has("/models"));
        assertEquals("linux", config.get("os").asString());
        assertEquals("amd64", config.get("architecture").asString());

        // Least changed first: the Debian base, the Java runtime, third-party jars, launchers, Pagoda's jars.
        List<List<String>> layers = manifest.get("layers").valueStream()
                .map(l -> layerFiles(l.get("digest").asString())).toList();
        assertEquals(config.get("rootfs").get("diff_ids").size(), layers.size());
        assertTrue(layers.size() >= 5, layers.size() + " layers");
        assertTrue(contains(layers, "lib/x86_64-linux-gnu/libc.so.6") < contains(layers, "opt/pagoda/lib/runtime/lib/server/libjvm.so"));
        assertTrue(contains(layers, "opt/pagoda/lib/runtime/lib/server/libjvm.so") < contains(layers, "opt/pagoda/lib/app/app-gui-" + Built.VERSION + ".jar"));
        assertTrue(contains(layers, "etc/passwd") >= 0);
        String passwd = Built.ok("bash", "-c", "for b in \"$1\"/blobs/sha256/*; do tar -xzOf \"$b\" etc/passwd 2>/dev/null || true; done", "_",
                layout.toString());
        assertTrue(passwd.lines().anyMatch(l -> l.startsWith("pagoda:x:" + user.split(":")[0] + ":")), "the image's user is named in /etc/passwd: " + passwd);
    }

    private List<String> layerFiles(String digest) {
        Path file = layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
        return Built.ok("tar", "--warning=none", "-tzf", file.toString()).lines().toList();
    }

    private static int contains(List<List<String>> layers, String path) {
        for (int i = 0; i < layers.size(); i++) if (layers.get(i).contains(path)) return i;
        throw new AssertionError(path + " is in no layer");
    }

    private static List<String> strings(JsonNode array) {
        return array.valueStream().map(JsonNode::asString).toList();
    }
}
