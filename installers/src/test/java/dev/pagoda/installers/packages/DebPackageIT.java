package dev.pagoda.installers.packages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The .deb as dpkg-deb reads it. Installing it (dpkg -i, apt-get install -f, serving, dpkg -r) needs
 * root and changes the machine: installers/check-deb.sh does that.
 */
class DebPackageIT {

    private static Map<String, String> control() {
        return Built.ok("dpkg-deb", "-f", Built.existing(Built.DEB).toString()).lines()
                .filter(l -> l.contains(": ") && !l.startsWith(" "))
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf(':')), l -> l.substring(l.indexOf(": ") + 2)));
    }

    @Test
    void itDependsOnGtkForThePanelAndOnNothingGpuSpecific() {
        Map<String, String> control = control();
        assertEquals("pagoda", control.get("Package"));
        assertEquals(Built.VERSION.replace('-', '~'), control.get("Version"));
        List<String> depends = Arrays.stream(control.get("Depends").split(",\\s*")).toList();
        assertTrue(depends.contains("libgtk-3-0 | libgtk-3-0t64"), depends::toString);
        assertTrue(depends.stream().anyMatch(d -> d.startsWith("libc6 (>= 2.")), depends::toString);
        assertTrue(depends.contains("adduser"), "postinst creates the service user");
        assertFalse(control.get("Depends").matches("(?i).*(cuda|nvidia|cublas|nvrtc).*"), control.get("Depends"));
    }

    @Test
    void itShipsTheTreeTheUnitTheSettingsAndTheDesktopEntry() {
        List<String> files = Built.ok("dpkg-deb", "-c", Built.DEB.toString()).lines()
                .map(l -> l.substring(l.indexOf("./") + 1).replaceAll(" -> .*", "")).toList();
        assertTrue(files.containsAll(List.of("/opt/pagoda/bin/pagoda", "/opt/pagoda/bin/pagoda-panel", "/usr/bin/pagoda",
                "/usr/lib/systemd/system/pagoda.service", "/etc/default/pagoda", "/usr/share/applications/pagoda.desktop",
                "/usr/share/icons/hicolor/scalable/apps/pagoda.svg", "/usr/share/icons/hicolor/256x256/apps/pagoda.png",
                "/usr/share/doc/pagoda/copyright")), files.size() + " files");
        assertTrue(Built.ok("dpkg-deb", "-c", Built.DEB.toString()).lines().allMatch(l -> l.contains(" root/root ")),
                "every file owned by root");
        assertEquals("/etc/default/pagoda", Built.ok("dpkg-deb", "-I", Built.DEB.toString(), "conffiles").strip());
    }

    @Test
    void theUnitRunsServeAsItsOwnUserWithTheSettingsFileAndRestarts() {
        String unit = Built.ok("bash", "-c", "dpkg-deb --fsys-tarfile \"$1\" | tar -xO ./usr/lib/systemd/system/pagoda.service", "_",
                Built.DEB.toString());
        for (String line : List.of("User=pagoda", "EnvironmentFile=-/etc/default/pagoda", "ExecStart=/opt/pagoda/bin/pagoda serve $PAGODA_ARGS",
                "Restart=on-failure", "StateDirectory=pagoda", "StandardOutput=journal")) {
            assertTrue(unit.lines().anyMatch(line::equals), line);
        }
    }
}
