package dev.pagoda.gui;

import dev.pagoda.webapi.cli.PagodaCli;

/**
 * The {@code ./pagoda} entry point. {@code pagoda} alone opens the control panel where there is a
 * display, and otherwise serves the embedded default model (a server or CI machine has no
 * screen, and the main job must still run there); {@code pagoda gui} always opens the panel; any
 * other arguments are the command line's subcommands.
 */
public final class PagodaLauncher {

    private PagodaLauncher() {}

    public static void main(String[] args) {
        if (opensPanel(args, System.getenv("DISPLAY"), System.getenv("WAYLAND_DISPLAY"))) {
            Main.main(new String[0]);
        } else {
            PagodaCli.main(args);
        }
    }

    static boolean opensPanel(String[] args, String display, String waylandDisplay) {
        if (args.length == 1 && args[0].equals("gui")) return true;
        return args.length == 0 && (notBlank(display) || notBlank(waylandDisplay));
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }
}
