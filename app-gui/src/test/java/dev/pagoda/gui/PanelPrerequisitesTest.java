package dev.pagoda.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PanelPrerequisitesTest {

    private static final Map<String, String> X11 = Map.of("DISPLAY", ":0");

    @Test
    void withoutADisplayThePanelSaysSoBeforeLookingForGtk() {
        Optional<String> line = PanelPrerequisites.missing("Linux", Map.of("DISPLAY", " "), name -> {
            throw new AssertionError("no library is probed without a display");
        });
        assertEquals(Optional.of(PanelPrerequisites.NO_DISPLAY), line);
    }

    @Test
    void withoutGtkThePanelNamesThePackageToInstall() {
        List<String> probed = new ArrayList<>();
        Optional<String> line = PanelPrerequisites.missing("Linux", X11, name -> probed.add(name) && false);
        assertEquals(List.of("libgtk-3.so.0"), probed);
        assertTrue(line.orElseThrow().contains("apt install libgtk-3-0"), line.get());
        assertFalse(line.get().contains("\n"));
        assertEquals(Optional.empty(), PanelPrerequisites.missing("Linux", Map.of("WAYLAND_DISPLAY", "wayland-0"), name -> true));
        assertEquals(Optional.empty(), PanelPrerequisites.missing("Mac OS X", Map.of(), name -> false), "glass is not GTK there");
    }

    @Test
    void theLinkerProbeFindsLibcAndNotAnInventedLibrary() {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "Linux only");
        assertTrue(PanelPrerequisites.loads("libc.so.6"));
        assertFalse(PanelPrerequisites.loads("libpagoda-no-such-library.so.0"));
    }

    @Test
    void aToolkitThatFailsAnywayIsOneLineToo() {
        var failure = new RuntimeException("Application launch exception",
                new UnsupportedOperationException("Unable to open DISPLAY"));
        assertEquals("pagoda: the control panel cannot open the display ':99'; check DISPLAY (or ssh -X), or run"
                + " 'pagoda serve' for the server alone", PanelPrerequisites.startFailed(failure, Map.of("DISPLAY", ":99")));
        assertEquals(PanelPrerequisites.NO_GTK, PanelPrerequisites.startFailed(
                new UnsupportedOperationException("Unable to load glass GTK library."), X11));
    }

    /** The real launcher in its own JVM, with no display: one line on stderr, status 1, no stack trace. */
    @Test
    void theLauncherWithoutADisplayPrintsOneLineAndFails() throws Exception {
        Result r = launchPanel(Map.of());
        assertEquals(1, r.exitCode(), r.stderr());
        assertEquals(List.of(PanelPrerequisites.NO_DISPLAY), r.stderrLines());
    }

    /**
     * The real launcher with a display named but no GTK 3 on the machine (as on these machines until
     * libgtk-3-0 is installed): the GTK line, before JavaFX loads. Where GTK 3 is installed, JavaFX
     * itself fails on the display that has no server behind it, and that too must come out as one line.
     */
    @Test
    void theLauncherWithADisplayButNoGtkNamesWhatToInstall() throws Exception {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "Linux only");
        Result r = launchPanel(Map.of("DISPLAY", ":97"));
        assertEquals(1, r.exitCode(), r.stderr());
        assertFalse(r.stderr().contains("\tat "), "no stack trace: " + r.stderr());
        List<String> lines = r.stderrLines();
        String last = lines.getLast();
        if (gtk3Installed()) {
            assertTrue(last.startsWith("pagoda: the control panel cannot open the display ':97'"), r.stderr());
        } else {
            assertEquals(List.of(PanelPrerequisites.NO_GTK), lines);
        }
    }

    /** Independently of the launcher's probe: the dynamic linker's cache, as {@code ldconfig -p} prints it. */
    private static boolean gtk3Installed() throws IOException, InterruptedException {
        for (String ldconfig : List.of("/sbin/ldconfig", "/usr/sbin/ldconfig")) {
            if (!Files.isExecutable(Path.of(ldconfig))) continue;
            Process p = new ProcessBuilder(ldconfig, "-p").redirectErrorStream(true).start();
            String cache = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return cache.contains("libgtk-3.so.0 ");
        }
        return Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libgtk-3.so.0"));
    }

    record Result(int exitCode, String stderr) {
        /** Standard error without the JVM's own notice about the incubating Vector API. */
        List<String> stderrLines() {
            return stderr.lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList();
        }
    }

    private static Result launchPanel(Map<String, String> display) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        var pb = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), PagodaLauncher.class.getName(), "gui");
        pb.environment().remove("DISPLAY");
        pb.environment().remove("WAYLAND_DISPLAY");
        pb.environment().putAll(display);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher ended");
        return new Result(p.exitValue(), err);
    }
}
