package dev.pagoda.gui.server;

import dev.pagoda.gui.requests.RequestLogEntry;
import dev.pagoda.gui.requests.RequestLogViewModel;
import dev.pagoda.gui.server.ServerViewModel.Phase;
import java.util.Locale;
import java.util.function.Function;
import javafx.animation.AnimationTimer;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.TextField;
import javafx.scene.input.ClipboardContent;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/**
 * The Server tab: the settings form, Start (with the load's progress and a Cancel) / Stop, the URL
 * with a copy button, and the live request log under them.
 */
public final class ServerView extends BorderPane {

    private final GridPane form = new GridPane();
    private final AnimationTimer timer;

    public ServerView(ServerViewModel vm, RequestLogViewModel log) {
        form.setHgap(8);
        form.setVgap(6);
        form.setPadding(new Insets(12));
        setTop(form);

        int row = 0;
        row = field(row, "Model (empty = embedded default; pick one in Models)", "model", vm.modelProperty(), new TextField());
        row = field(row, "Host", "host", vm.hostProperty(), new TextField());
        row = field(row, "Port (0 = any free)", "port", vm.portProperty(), new TextField());
        row = field(row, "API key (empty = none)", "apiKey", vm.apiKeyProperty(), new PasswordField());
        row = field(row, "CORS allowed origins (comma separated, * = any, empty = off)", "allowedOrigins",
                vm.allowedOriginsProperty(), new TextField());
        row = field(row, "Max model length (empty = model's)", "maxModelLen", vm.maxModelLenProperty(), new TextField());
        row = field(row, "Block size (tokens)", "blockSize", vm.blockSizeProperty(), new TextField());
        row = field(row, "Max sequences per step", "maxNumSeqs", vm.maxNumSeqsProperty(), new TextField());
        row = field(row, "KV cache (MiB, CPU)", "kvCacheMiB", vm.kvCacheMiBProperty(), new TextField());
        row = field(row, "GPU memory utilization (0-1, CUDA)", "gpuMemoryUtilization", vm.gpuMemoryUtilizationProperty(), new TextField());
        CheckBox prefix = new CheckBox("Prefix caching");
        prefix.setId("prefixCaching");
        prefix.selectedProperty().bindBidirectional(vm.prefixCachingProperty());
        form.add(prefix, 1, row++);

        Button start = new Button("Start");
        start.setId("startServer");
        start.setOnAction(e -> vm.start());
        start.disableProperty().bind(vm.phaseProperty().isNotEqualTo(Phase.STOPPED));
        Button stop = new Button("Stop");
        stop.setId("stopServer");
        stop.setOnAction(e -> vm.stop());
        stop.disableProperty().bind(vm.phaseProperty().isNotEqualTo(Phase.RUNNING));
        Button cancel = new Button("Cancel");
        cancel.setId("cancelStart");
        cancel.setOnAction(e -> vm.cancelStart());
        cancel.disableProperty().bind(vm.phaseProperty().isNotEqualTo(Phase.STARTING));
        Label phase = new Label();
        phase.setId("serverPhase");
        phase.textProperty().bind(Bindings.convert(vm.phaseProperty()));
        ProgressBar progress = new ProgressBar();
        progress.setId("startProgress");
        progress.progressProperty().bind(vm.progressProperty());
        Label progressText = new Label();
        progressText.setId("startProgressText");
        progressText.textProperty().bind(vm.progressMessageProperty());
        form.add(new HBox(8, start, cancel, stop, phase, progress, progressText), 1, row++);

        TextField url = new TextField();
        url.setId("serverUrl");
        url.setEditable(false);
        url.setPrefColumnCount(30);
        url.textProperty().bind(vm.urlProperty());
        Button copy = new Button("Copy");
        copy.setId("copyUrl");
        copy.disableProperty().bind(vm.urlProperty().isEmpty());
        copy.setOnAction(e -> {
            ClipboardContent content = new ClipboardContent();
            content.putString(vm.urlProperty().get());
            javafx.scene.input.Clipboard.getSystemClipboard().setContent(content);
        });
        Label device = new Label();
        device.setId("serverDevice");
        device.textProperty().bind(vm.deviceProperty());
        form.add(new Label("OpenAI base URL"), 0, row);
        form.add(new HBox(8, url, copy, device), 1, row);

        // The form is frozen while an engine runs: its settings are the running engine's.
        for (var node : form.getChildren()) {
            if (node instanceof TextField tf && tf != url) tf.disableProperty().bind(vm.phaseProperty().isNotEqualTo(Phase.STOPPED));
        }
        prefix.disableProperty().bind(vm.phaseProperty().isNotEqualTo(Phase.STOPPED));

        Label logTitle = new Label("Requests (newest first)");
        VBox logBox = new VBox(4, logTitle, logTable(log));
        logBox.setPadding(new Insets(0, 12, 12, 12));
        VBox.setVgrow(logBox.getChildren().get(1), Priority.ALWAYS);
        setCenter(logBox);
        // Pulled once per frame: the log changes per token, the table at most at the frame rate.
        timer = new AnimationTimer() {
            @Override
            public void handle(long now) {
                log.refresh();
            }
        };
        sceneProperty().addListener((o, old, scene) -> {
            if (scene == null) timer.stop(); else timer.start();
        });
    }

    private int field(int row, String label, String id, javafx.beans.property.StringProperty value, TextField input) {
        input.setId(id);
        input.textProperty().bindBidirectional(value);
        form.add(new Label(label), 0, row);
        form.add(input, 1, row);
        return row + 1;
    }

    private static TableView<RequestLogEntry> logTable(RequestLogViewModel log) {
        TableView<RequestLogEntry> table = new TableView<>(log.rows());
        table.setId("requestLog");
        table.setPlaceholder(new Label("no requests yet"));
        table.getColumns().add(column("Request id", RequestLogEntry::requestId, 260));
        table.getColumns().add(column("Prompt tokens", e -> Integer.toString(e.promptTokens()), 110));
        table.getColumns().add(column("Output tokens", e -> Integer.toString(e.outputTokens()), 110));
        table.getColumns().add(column("TTFT", e -> Double.isNaN(e.ttftSeconds()) ? "–"
                : String.format(Locale.ROOT, "%.0f ms", e.ttftSeconds() * 1000), 90));
        table.getColumns().add(column("Status", RequestLogEntry::status, 260));
        return table;
    }

    private static TableColumn<RequestLogEntry, String> column(String title, Function<RequestLogEntry, String> value, double width) {
        TableColumn<RequestLogEntry, String> c = new TableColumn<>(title);
        c.setPrefWidth(width);
        c.setCellValueFactory(cell -> new ReadOnlyStringWrapper(value.apply(cell.getValue())));
        return c;
    }

    /** Stops the log's frame timer for good (window closing). */
    public void dispose() {
        timer.stop();
    }
}
