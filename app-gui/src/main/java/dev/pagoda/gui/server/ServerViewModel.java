package dev.pagoda.gui.server;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
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
 * {@link Task} on {@code background}; every property changes on the FX thread only. While it runs,
 * {@link #progressProperty()} and {@link #progressMessageProperty()} say which stage it is in, and
 * {@link #cancelStart()} gives up on it.
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
    private final StringProperty allowedOrigins = new SimpleStringProperty();
    private final StringProperty gpuMemoryUtilization = new SimpleStringProperty();
    private final StringProperty maxModelLen = new SimpleStringProperty();
    private final StringProperty blockSize = new SimpleStringProperty();
    private final StringProperty maxNumSeqs = new SimpleStringProperty();
    private final StringProperty kvCacheMiB = new SimpleStringProperty();
    private final BooleanProperty prefixCaching = new SimpleBooleanProperty();
    private final ReadOnlyObjectWrapper<Phase> phase = new ReadOnlyObjectWrapper<>(Phase.STOPPED);
    private final ReadOnlyStringWrapper url = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper device = new ReadOnlyStringWrapper(""); // e.g. "cuda:0, BF16 weights"
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(0);
    private final ReadOnlyStringWrapper progressMessage = new ReadOnlyStringWrapper("");
    private AtomicBoolean cancelRequested;

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
        allowedOrigins.set(String.join(", ", s.listen().allowedOrigins()));
        gpuMemoryUtilization.set(Double.toString(s.engine().gpuMemoryUtilization()));
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
                        apiKey.get() == null ? "" : apiKey.get().strip(),
                        origins(allowedOrigins.get())),
                new ServerSettings.EngineLimits(
                        len.isEmpty() ? null : parseInt("Max model length", len),
                        parseInt("Block size", blockSize.get()),
                        parseInt("Max sequences", maxNumSeqs.get()),
                        prefixCaching.get(),
                        parseInt("KV cache (MiB)", kvCacheMiB.get()),
                        parseDouble("GPU memory utilization", gpuMemoryUtilization.get())));
    }

    /** The form parsed, or the panel's defaults while a field does not parse (for previews such as memory plans). */
    public ServerSettings settingsOrDefaults() {
        try {
            return settings();
        } catch (IllegalArgumentException e) {
            return ServerSettings.DEFAULTS;
        }
    }

    /** "a, b" -> [a, b]; blank -> none. */
    private static List<String> origins(String text) {
        if (text == null || text.isBlank()) return List.of();
        return Arrays.stream(text.split(",")).map(String::strip).toList();
    }

    private static double parseDouble(String field, String text) {
        String t = text == null ? "" : text.strip();
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + " must be a number, got '" + t + "'");
        }
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
        progress.set(0);
        AtomicBoolean cancelled = new AtomicBoolean();
        cancelRequested = cancelled;
        Task<EmbeddedServer.Running> task = new Task<>() {
            @Override
            protected EmbeddedServer.Running call() {
                EmbeddedServer.Running running = server.start(settings, (message, done, total) -> {
                    updateMessage(message);
                    updateProgress(done, total);
                });
                if (cancelled.get()) {
                    // Cancelled while the model loaded: what it started goes again before the form is free.
                    server.stop();
                    throw new CancellationException("start cancelled");
                }
                return running;
            }
        };
        progress.bind(task.progressProperty());
        progressMessage.bind(task.messageProperty());
        task.setOnSucceeded(e -> {
            unbindProgress();
            url.set(task.getValue().url());
            var info = task.getValue().engine().model();
            device.set(info.device() + ", " + info.weightDtype() + " weights");
            phase.set(Phase.RUNNING);
            // Cancelled after the task's last check: stop it the ordinary way.
            if (cancelled.get()) stop();
        });
        task.setOnFailed(e -> {
            unbindProgress();
            phase.set(Phase.STOPPED);
            if (cancelled.get() || task.getException() instanceof CancellationException) { // nobody waits for its reason
                progressMessage.set("start cancelled");
                return;
            }
            progressMessage.set("start failed");
            errors.accept("Could not start the server: " + EmbeddedServer.rootMessage(task.getException()));
        });
        background.execute(task);
    }

    /**
     * Gives up on a start in progress. A model read cannot be interrupted halfway, so the engine is
     * closed as soon as its load returns; the phase stays STOPPING until then, so a new Start never
     * races the old one.
     */
    public void cancelStart() {
        if (phase.get() != Phase.STARTING || cancelRequested == null) return;
        cancelRequested.set(true);
        phase.set(Phase.STOPPING);
        progressMessage.unbind();
        progressMessage.set("cancelling: the model is closed once its load returns");
    }

    private void unbindProgress() {
        progress.unbind();
        progressMessage.unbind();
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
            device.set("");
            progress.set(0);
            progressMessage.set("stopped");
            phase.set(Phase.STOPPED);
        });
        task.setOnFailed(e -> {
            url.set("");
            device.set("");
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
    /** CORS origins, comma separated; empty for no CORS. */
    public StringProperty allowedOriginsProperty() { return allowedOrigins; }
    public StringProperty gpuMemoryUtilizationProperty() { return gpuMemoryUtilization; }
    /** The start's progress, 0..1 (stages: port, model, HTTP server). */
    public ReadOnlyDoubleProperty progressProperty() { return progress.getReadOnlyProperty(); }
    public ReadOnlyStringProperty progressMessageProperty() { return progressMessage.getReadOnlyProperty(); }
    public StringProperty maxModelLenProperty() { return maxModelLen; }
    public StringProperty blockSizeProperty() { return blockSize; }
    public StringProperty maxNumSeqsProperty() { return maxNumSeqs; }
    public StringProperty kvCacheMiBProperty() { return kvCacheMiB; }
    public BooleanProperty prefixCachingProperty() { return prefixCaching; }
    public ReadOnlyObjectProperty<Phase> phaseProperty() { return phase.getReadOnlyProperty(); }
    public ReadOnlyStringProperty urlProperty() { return url.getReadOnlyProperty(); }
    /** Where the running engine computes ({@code --device auto} picks the GPU when usable) and its weight type. */
    public ReadOnlyStringProperty deviceProperty() { return device.getReadOnlyProperty(); }
}
