package dev.pagoda.gui.server;

import dev.pagoda.gui.server.ServerViewModel.Phase;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.TextField;
import javafx.scene.input.ClipboardContent;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;

/** The Server tab: the settings form, Start/Stop, and the URL with a copy button. */
public final class ServerView extends GridPane {

    public ServerView(ServerViewModel vm) {
        setHgap(8);
        setVgap(6);
        setPadding(new Insets(12));

        int row = 0;
        row = field(row, "Model (empty = embedded default; pick one in Models)", "model", vm.modelProperty(), new TextField());
        row = field(row, "Host", "host", vm.hostProperty(), new TextField());
        row = field(row, "Port (0 = any free)", "port", vm.portProperty(), new TextField());
        row = field(row, "API key (empty = none)", "apiKey", vm.apiKeyProperty(), new PasswordField());
        row = field(row, "Max model length (empty = model's)", "maxModelLen", vm.maxModelLenProperty(), new TextField());
        row = field(row, "Block size (tokens)", "blockSize", vm.blockSizeProperty(), new TextField());
        row = field(row, "Max sequences per step", "maxNumSeqs", vm.maxNumSeqsProperty(), new TextField());
        row = field(row, "KV cache (MiB)", "kvCacheMiB", vm.kvCacheMiBProperty(), new TextField());
        CheckBox prefix = new CheckBox("Prefix caching");
        prefix.setId("prefixCaching");
        prefix.selectedProperty().bindBidirectional(vm.prefixCachingProperty());
        add(prefix, 1, row++);

        Button start = new Button("Start");
        start.setId("startServer");
        start.setOnAction(e -> vm.start());
        start.disableProperty().bind(vm.phaseProperty().isNotEqualTo(Phase.STOPPED));
        Button stop = new Button("Stop");
        stop.setId("stopServer");
        stop.setOnAction(e -> vm.stop());
        stop.disableProperty().bind(vm.phaseProperty().isNotEqualTo(Phase.RUNNING));
        Label phase = new Label();
        phase.setId("serverPhase");
        phase.textProperty().bind(Bindings.convert(vm.phaseProperty()));
        add(new HBox(8, start, stop, phase), 1, row++);

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
        add(new Label("OpenAI base URL"), 0, row);
        add(new HBox(8, url, copy), 1, row);

        // The form is frozen while an engine runs: its settings are the running engine's.
        for (var node : getChildren()) {
            if (node instanceof TextField tf && tf != url) tf.disableProperty().bind(vm.phaseProperty().isNotEqualTo(Phase.STOPPED));
        }
        prefix.disableProperty().bind(vm.phaseProperty().isNotEqualTo(Phase.STOPPED));
    }

    private int field(int row, String label, String id, javafx.beans.property.StringProperty value, TextField input) {
        input.setId(id);
        input.textProperty().bindBidirectional(value);
        add(new Label(label), 0, row);
        add(input, 1, row);
        return row + 1;
    }
}
