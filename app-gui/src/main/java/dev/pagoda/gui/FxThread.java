package dev.pagoda.gui;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import javafx.application.Platform;

/** Work handed to the JavaFX application thread by tools that drive the panel from outside it (tour, benchmarks). */
public final class FxThread {

    private FxThread() {}

    /** Runs {@code work} on the FX thread; the future completes with its result or with what it threw. */
    public static <T> CompletableFuture<T> call(Callable<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                result.complete(work.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }
}
