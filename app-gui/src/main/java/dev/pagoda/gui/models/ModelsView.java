package dev.pagoda.gui.models;

import dev.pagoda.catalog.discovery.DiscoveredModel;
import java.io.File;
import java.util.Locale;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.scene.control.ProgressBar;
import dev.pagoda.gui.server.ServerViewModel.Phase;
import java.util.List;

/**
 * The Models tab: a table of the models found with the memory planner's answer for each, a folder
 * picker, "Serve this model", and Load / Unload with the load's progress.
 */
public final class ModelsView extends BorderPane {

    public ModelsView(ModelsViewModel vm) {
        setPadding(new Insets(8));
        TableView<DiscoveredModel> table = new TableView<>(vm.models());
        table.setId("modelsTable");
        table.getColumns().add(column("Name", DiscoveredModel::name));
        table.getColumns().add(column("Architecture", m -> m.architecture().toString()));
        table.getColumns().add(column("Parameters", m -> String.format(Locale.ROOT, "%.2fB", m.parameterCount() / 1e9)));
        table.getColumns().add(column("Dtype / quantization", DiscoveredModel::dtype));
        table.getColumns().add(column("Size", m -> String.format(Locale.ROOT, "%.2f GB", m.sizeBytes() / 1e9)));
        table.getColumns().add(column("Context", m -> Integer.toString(m.contextLength())));
        TableColumn<DiscoveredModel, String> plan = column("Memory plan (KV cache on this device)", vm::planText);
        plan.setId("planColumn");
        plan.setPrefWidth(460);
        table.getColumns().add(plan);
        table.getColumns().add(column("Path", m -> m.path().toString()));
        // The plan follows the Server tab's KV settings.
        for (var p : List.of(vm.server().kvCacheMiBProperty(), vm.server().blockSizeProperty(), vm.server().maxModelLenProperty())) {
            p.addListener((o, a, b) -> table.refresh());
        }
        setCenter(table);

        Button add = new Button("Add folder…");
        add.setId("addModelFolder");
        add.setOnAction(e -> {
            DirectoryChooser chooser = new DirectoryChooser();
            chooser.setTitle("Folder with models");
            File dir = chooser.showDialog(getScene().getWindow());
            if (dir != null) vm.addRoot(dir.toPath());
        });
        Button rescan = new Button("Rescan");
        rescan.setId("rescanModels");
        rescan.setOnAction(e -> vm.scan());
        rescan.disableProperty().bind(vm.scanningProperty());
        Button serve = new Button("Serve this model");
        serve.setId("serveModel");
        serve.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
        serve.setOnAction(e -> vm.serve(table.getSelectionModel().getSelectedItem()));
        Button load = new Button("Load");
        load.setId("loadModel");
        load.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull()
                .or(vm.server().phaseProperty().isNotEqualTo(Phase.STOPPED)));
        load.setOnAction(e -> vm.load(table.getSelectionModel().getSelectedItem()));
        Button cancel = new Button("Cancel load");
        cancel.setId("cancelLoad");
        cancel.disableProperty().bind(vm.server().phaseProperty().isNotEqualTo(Phase.STARTING));
        cancel.setOnAction(e -> vm.server().cancelStart());
        Button unload = new Button("Unload");
        unload.setId("unloadModel");
        unload.disableProperty().bind(vm.server().phaseProperty().isNotEqualTo(Phase.RUNNING));
        unload.setOnAction(e -> vm.unload());
        ProgressBar progress = new ProgressBar();
        progress.setId("loadProgress");
        progress.progressProperty().bind(vm.server().progressProperty());
        Label progressText = new Label();
        progressText.textProperty().bind(vm.server().progressMessageProperty());
        Label status = new Label();
        status.setId("modelsStatus");
        status.textProperty().bind(vm.statusProperty());
        setTop(new VBox(6, new HBox(8, add, rescan, serve, status), new HBox(8, load, cancel, unload, progress, progressText)));
    }

    private static TableColumn<DiscoveredModel, String> column(String title, Function<DiscoveredModel, String> value) {
        TableColumn<DiscoveredModel, String> c = new TableColumn<>(title);
        c.setCellValueFactory(cell -> new ReadOnlyStringWrapper(value.apply(cell.getValue())));
        return c;
    }
}
