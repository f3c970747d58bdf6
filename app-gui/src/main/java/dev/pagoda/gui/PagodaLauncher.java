package dev.pagoda.gui;

import dev.pagoda.webapi.cli.PagodaCli;

/**
 * The {@code ./pagoda} entry point. {@code pagoda} alone opens the control panel where there is a
 * display, and otherwise serves the embedded default model (a server or CI machine has no
 * screen, and the main job must still run there); {@code pagoda gui} always opens the panel; any
 * other arguments are the command line's subcommands. Where the panel cannot open (no display, no
 * GTK 3) it says so in one line, with what to install, and exits with status 1.
 */
public final class PagodaLauncher {

    private PagodaLauncher() {}

    public static void main(String[] args) {
        if (opensPanel(args, System.getenv("DISPLAY"), System.getenv("WAYLAND_DISPLAY"))) {
            openPanel();
        } else {
            PagodaCli.main(args);
        }
    }

    /** The panel, or one line on standard error and exit status 1 where it cannot open. */
    private static void openPanel() {
        var missing = PanelPrerequisites.missing(System.getProperty("os.name"), System.getenv(), PanelPrerequisites::loads);
        if (missing.isPresent()) exitWith(missing.get());
        try {
            Main.main(new String[0]);
        } catch (RuntimeException toolkitFailed) {
            exitWith(PanelPrerequisites.startFailed(toolkitFailed, System.getenv()));
        }
    }

    private static void exitWith(String line) {
        System.err.println(line);
        System.exit(1);
    }

    static boolean opensPanel(String[] args, String display, String waylandDisplay) {
        if (args.length == 1 && args[0].equals("gui")) return true;
        return args.length == 0 && (notBlank(display) || notBlank(waylandDisplay));
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }
}
