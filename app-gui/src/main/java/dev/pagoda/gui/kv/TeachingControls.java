package dev.pagoda.gui.kv;

import dev.pagoda.engine.api.InferenceEngine;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.concurrent.Task;

/**
 * Pause / step one iteration / resume of the running engine, so a teacher can walk through
 * scheduling one step at a time. Each call runs in a {@link Task}: {@code step()} waits for a whole
 * forward pass and {@code pause()} for the current one to end, neither on the FX thread.
 */
public final class TeachingControls {

    private final Supplier<Optional<InferenceEngine>> engine;
    private final Executor background;
    private final Consumer<String> errors;
    private final ReadOnlyBooleanWrapper paused = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(false);

    /**
     * @param engine the engine now running, if any
     * @param errors shows a failure's reason to the user
     */
    public TeachingControls(Supplier<Optional<InferenceEngine>> engine, Executor background, Consumer<String> errors) {
        this.engine = engine;
        this.background = background;
        this.errors = errors;
    }

    public void pause() {
        run("Pause", e -> e.pause());
    }

    /** Runs exactly one engine iteration; only while paused. */
    public void step() {
        run("Step", e -> e.step());
    }

    public void resume() {
        run("Resume", e -> e.resume());
    }

    /** Re-reads the paused flag (an engine started or stopped since). */
    public void refresh() {
        paused.set(engine.get().map(InferenceEngine::isPaused).orElse(false));
    }

    private void run(String what, Consumer<InferenceEngine> action) {
        Optional<InferenceEngine> target = engine.get();
        if (target.isEmpty()) {
            errors.accept(what + ": no engine is running; start the server first");
            return;
        }
        if (busy.get()) return;
        busy.set(true);
        InferenceEngine e = target.get();
        Task<Boolean> task = new Task<>() {
            @Override
            protected Boolean call() {
                action.accept(e);
                return e.isPaused();
            }
        };
        task.setOnSucceeded(ev -> {
            paused.set(task.getValue());
            busy.set(false);
        });
        task.setOnFailed(ev -> {
            busy.set(false);
            refresh();
            errors.accept(what + " failed: " + task.getException().getMessage());
        });
        background.execute(task);
    }

    public ReadOnlyBooleanProperty pausedProperty() { return paused.getReadOnlyProperty(); }

    /** True while a pause, step or resume is in flight. */
    public ReadOnlyBooleanProperty busyProperty() { return busy.getReadOnlyProperty(); }
}
