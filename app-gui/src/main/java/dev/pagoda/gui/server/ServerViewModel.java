package dev.pagoda.gui.server;

import java.util.concurrent.Executor;
import java.util.function.Consumer;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.concurrent.Task;

/**
 * The Server tab's state: the form as text (parsed only on Start, so a half-typed number is no
 * error), the phase, and the URL once listening. Loading the model and binding the port run in a
 * {@link Task} on {@code background}; every property changes on the FX thread only.
 */
public final class ServerViewModel {

    public enum Phase { STOPPED, STARTING, RUNNING, STOPPING }

    private final EmbeddedServer server;
    private final Executor background;
    private final Consumer<String> errors;

    private final StringProperty model = new SimpleStringProperty();
    private final StringProperty host = new SimpleStringProperty();
    private final StringProperty port = new SimpleStringProperty();
    private final StringProperty apiKey = new SimpleStringProperty();
    private final StringProperty maxModelLen = new SimpleStringProperty();
    private final StringProperty blockSize = new SimpleStringProperty();
    private final StringProperty maxNumSeqs = new SimpleStringProperty();
    private final StringProperty kvCacheMiB = new SimpleStringProperty();
    private final BooleanProperty prefixCaching = new SimpleBooleanProperty();
    private final ReadOnlyObjectWrapper<Phase> phase = new ReadOnlyObjectWrapper<>(Phase.STOPPED);
    private final ReadOnlyStringWrapper url = new ReadOnlyStringWrapper("");

    /**
     * @param errors shows a failure's reason to the user (a dialog in the app)
     */
    public ServerViewModel(EmbeddedServer server, Executor background, Consumer<String> errors) {
        this.server = server;
        this.background = background;
        this.errors = errors;
        load(ServerSettings.DEFAULTS);
    }

    private void load(ServerSettings s) {
        model.set(s.model() == null ? "" : s.model());
        host.set(s.listen().host());
        port.set(Integer.toString(s.listen().port()));
        apiKey.set(s.listen().apiKey());
        maxModelLen.set(s.engine().maxModelLen() == null ? "" : Integer.toString(s.engine().maxModelLen()));
        blockSize.set(Integer.toString(s.engine().blockSize()));
        maxNumSeqs.set(Integer.toString(s.engine().maxNumSeqs()));
        kvCacheMiB.set(Long.toString(s.engine().kvCacheMiB()));
        prefixCaching.set(s.engine().prefixCaching());
    }

    /** The form parsed; each bad field gets an error naming it. */
    public ServerSettings settings() {
        String len = maxModelLen.get() == null ? "" : maxModelLen.get().strip();
        return new ServerSettings(
                model.get() == null ? null : model.get().strip(),
                new ServerSettings.Listen(
                        host.get() == null ? "" : host.get().strip(),
                        parseInt("Port", port.get()),
                        apiKey.get() == null ? "" : apiKey.get().strip()),
                new ServerSettings.EngineLimits(
                        len.isEmpty() ? null : parseInt("Max model length", len),
                        parseInt("Block size", blockSize.get()),
                        parseInt("Max sequences", maxNumSeqs.get()),
                        prefixCaching.get(),
                        parseInt("KV cache (MiB)", kvCacheMiB.get())));
    }

    private static int parseInt(String field, String text) {
        String t = text == null ? "" : text.strip();
        try {
            return Integer.parseInt(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + " must be a whole number, got '" + t + "'");
        }
    }

    /** Starts engine and server in the background; a failure leaves the phase STOPPED and reports why. */
    public void start() {
        if (phase.get() != Phase.STOPPED) return;
        ServerSettings settings;
        try {
            settings = settings();
        } catch (IllegalArgumentException e) {
            errors.accept(e.getMessage());
            return;
        }
        phase.set(Phase.STARTING);
        Task<EmbeddedServer.Running> task = new Task<>() {
            @Override
            protected EmbeddedServer.Running call() {
                return server.start(settings);
            }
        };
        task.setOnSucceeded(e -> {
            url.set(task.getValue().url());
            phase.set(Phase.RUNNING);
        });
        task.setOnFailed(e -> {
            phase.set(Phase.STOPPED);
            errors.accept("Could not start the server: " + EmbeddedServer.rootMessage(task.getException()));
        });
        background.execute(task);
    }

    /** Stops server then engine in the background; the port is free once the phase is STOPPED. */
    public void stop() {
        if (phase.get() != Phase.RUNNING) return;
        phase.set(Phase.STOPPING);
        Task<Void> task = new Task<>() {
            @Override
            protected Void call() {
                server.stop();
                return null;
            }
        };
        task.setOnSucceeded(e -> {
            url.set("");
            phase.set(Phase.STOPPED);
        });
        task.setOnFailed(e -> {
            url.set("");
            phase.set(Phase.STOPPED);
            errors.accept("Stopping the server failed: " + EmbeddedServer.rootMessage(task.getException()));
        });
        background.execute(task);
    }

    /** A model folder or .gguf file; empty for the embedded default model. */
    public StringProperty modelProperty() { return model; }
    public StringProperty hostProperty() { return host; }
    public StringProperty portProperty() { return port; }
    public StringProperty apiKeyProperty() { return apiKey; }
    public StringProperty maxModelLenProperty() { return maxModelLen; }
    public StringProperty blockSizeProperty() { return blockSize; }
    public StringProperty maxNumSeqsProperty() { return maxNumSeqs; }
    public StringProperty kvCacheMiBProperty() { return kvCacheMiB; }
    public BooleanProperty prefixCachingProperty() { return prefixCaching; }
    public ReadOnlyObjectProperty<Phase> phaseProperty() { return phase.getReadOnlyProperty(); }
    public ReadOnlyStringProperty urlProperty() { return url.getReadOnlyProperty(); }
}
