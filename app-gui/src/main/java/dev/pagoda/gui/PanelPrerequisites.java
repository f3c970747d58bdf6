package dev.pagoda.gui;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What the panel needs on Linux before JavaFX starts: a display, and GTK 3, which JavaFX's windowing
 * layer (glass) links against. Without them JavaFX dies with a stack trace ("Unable to load glass GTK
 * library", "Unable to open DISPLAY"); the launcher says instead, in one line, what is missing and
 * what to install.
 */
final class PanelPrerequisites {

    /** The library glass loads on Linux; Debian and Ubuntu ship it as libgtk-3-0 (libgtk-3-0t64 since 2024). */
    static final String GTK3 = "libgtk-3.so.0";

    static final String NO_DISPLAY = "pagoda: the control panel needs a graphical display and neither DISPLAY nor"
            + " WAYLAND_DISPLAY is set; start it from a desktop session (or ssh -X), or run 'pagoda serve' for the server alone";

    static final String NO_GTK = "pagoda: the control panel needs GTK 3, which is not installed; install it"
            + " (Debian/Ubuntu: sudo apt install libgtk-3-0, Fedora: sudo dnf install gtk3) or run 'pagoda serve' for the server alone";

    private PanelPrerequisites() {}

    /** The one-line reason the panel cannot open here, or empty when it may try. */
    static Optional<String> missing(String osName, Map<String, String> env, Predicate<String> libraryLoads) {
        if (!osName.startsWith("Linux")) return Optional.empty();
        if (blank(env.get("DISPLAY")) && blank(env.get("WAYLAND_DISPLAY"))) return Optional.of(NO_DISPLAY);
        if (!libraryLoads.test(GTK3)) return Optional.of(NO_GTK);
        return Optional.empty();
    }

    /** The one line for a panel whose toolkit failed to start anyway (a DISPLAY that names no reachable server). */
    static String startFailed(Throwable failure, Map<String, String> env) {
        Throwable root = failure;
        while (root.getCause() != null) root = root.getCause();
        String reason = String.valueOf(root.getMessage());
        if (reason.contains("Unable to open DISPLAY")) {
            return "pagoda: the control panel cannot open the display '" + env.getOrDefault("DISPLAY", "")
                    + "'; check DISPLAY (or ssh -X), or run 'pagoda serve' for the server alone";
        }
        if (reason.contains("GTK")) return NO_GTK;
        return "pagoda: the control panel could not start: " + reason.strip().replace('\n', ' ');
    }

    /** Whether the dynamic linker finds and loads {@code name}, as glass will (it is unloaded again at once). */
    static boolean loads(String name) {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup.libraryLookup(name, arena);
            return true;
        } catch (IllegalArgumentException notFound) {
            return false;
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
