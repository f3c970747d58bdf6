package dev.pagoda.installers.packages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The packages this module's package phase wrote under target/, and a way to run the tools that read them. */
final class Built {

    static final String VERSION = System.getProperty("pagoda.version");
    static final Path TARGET = Path.of("target").toAbsolutePath();
    static final Path APP_IMAGE = TARGET.resolve("app-image/pagoda");
    static final Path DEB = TARGET.resolve("pagoda_" + VERSION.replace('-', '~') + "_amd64.deb");
    static final Path TARBALL = TARGET.resolve("pagoda-" + VERSION + "-linux-x86_64.tar.gz");
    static final Path IMAGE = TARGET.resolve("pagoda-image-" + VERSION + ".tar");

    private Built() {}

    static Path existing(Path p) {
        assertTrue(Files.exists(p), p + " was not built (the package phase writes it; -Dpackages.skip skips these tests too)");
        return p;
    }

    record Run(int exitCode, String stdout, String stderr) {}

    static Run run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE).start();
            Path err = Files.createTempFile("built-", ".err");
            try {
                var drain = Thread.ofVirtual().start(() -> {
                    try {
                        Files.write(err, p.getErrorStream().readAllBytes());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(p.waitFor(3, TimeUnit.MINUTES), "timed out: " + cmd);
                drain.join();
                return new Run(p.exitValue(), out, Files.readString(err));
            } finally {
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String ok(String... cmd) {
        Run r = run(List.of(cmd));
        assertEquals(0, r.exitCode(), () -> String.join(" ", cmd) + ": " + r.stderr());
        return r.stdout();
    }
}
