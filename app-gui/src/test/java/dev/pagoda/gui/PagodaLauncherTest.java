package dev.pagoda.gui;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PagodaLauncherTest {

    @Test
    void thePanelOpensOnlyWhereThereIsAScreenOrWhenAskedFor() {
        assertTrue(PagodaLauncher.opensPanel(new String[0], ":0", null));
        assertTrue(PagodaLauncher.opensPanel(new String[0], null, "wayland-0"));
        assertFalse(PagodaLauncher.opensPanel(new String[0], null, null), "headless: serve instead");
        assertFalse(PagodaLauncher.opensPanel(new String[0], " ", ""), "blank variables are no display");
        assertTrue(PagodaLauncher.opensPanel(new String[] {"gui"}, null, null));
        assertFalse(PagodaLauncher.opensPanel(new String[] {"serve"}, ":0", null), "subcommands go to the command line");
    }
}
