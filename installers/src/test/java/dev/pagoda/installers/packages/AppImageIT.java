package dev.pagoda.installers.packages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The jpackage app image and its tarball: both launchers, a runtime of its own, the default model's code path. */
class AppImageIT {

    @Test
    void bothLaunchersAndTheRuntimeAreThere() {
        for (String launcher : List.of("bin/pagoda", "bin/pagoda-panel")) {
            assertTrue(Files.isExecutable(Built.existing(Built.APP_IMAGE.resolve(launcher))), launcher);
        }
        assertTrue(Files.isExecutable(Built.APP_IMAGE.resolve("lib/runtime/bin/java")));
        String cfg = Built.ok("cat", Built.APP_IMAGE.resolve("lib/app/pagoda-panel.cfg").toString());
        assertTrue(cfg.contains("app.mainclass=dev.pagoda.gui.PagodaLauncher") && cfg.contains("arguments=gui"), cfg);
        assertTrue(cfg.contains("--add-modules=jdk.incubator.vector") && cfg.contains("--enable-native-access=ALL-UNNAMED"), cfg);
    }

    @Test
    void theInstalledTreeAnswersVersionWithItsOwnRuntime() {
        String version = Built.ok(Built.APP_IMAGE.resolve("bin/pagoda").toString(), "--version");
        assertEquals("pagoda " + Built.VERSION, version.lines().findFirst().orElseThrow());
    }

    @Test
    void theRuntimeHoldsWhatTheServerAndPanelUseAndNoMore() {
        String release = Built.ok("cat", Built.APP_IMAGE.resolve("lib/runtime/release").toString());
        for (String module : List.of("java.base", "java.desktop", "jdk.incubator.vector", "java.net.http", "jdk.unsupported")) {
            assertTrue(release.contains(module), module + " in " + release);
        }
        assertTrue(!release.contains("jdk.compiler") && !release.contains("java.corba"), release);
        assertTrue(!Files.exists(Built.APP_IMAGE.resolve("lib/runtime/lib/libjsound.so")), "sound natives dropped");
    }

    @Test
    void theTarballIsTheAppImage() {
        List<String> entries = Built.ok("tar", "-tzf", Built.existing(Built.TARBALL).toString()).lines().toList();
        assertTrue(entries.containsAll(List.of("pagoda/bin/pagoda", "pagoda/bin/pagoda-panel", "pagoda/lib/runtime/bin/java",
                "pagoda/lib/app/app-gui-" + Built.VERSION + ".jar")), entries.size() + " entries");
    }
}
