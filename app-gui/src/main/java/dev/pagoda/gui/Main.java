package dev.pagoda.gui;

import javafx.application.Application;

/**
 * Launches {@link PagodaApp}. A separate class because a main class that extends Application is
 * refused when JavaFX sits on the class path instead of the module path.
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        Application.launch(PagodaApp.class, args);
    }
}
