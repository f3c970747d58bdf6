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
import javafx.stage.DirectoryChooser;

/** The Models tab: a table of the models found, a folder picker, and "Serve this model". */
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
        table.getColumns().add(column("Path", m -> m.path().toString()));
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
        Label status = new Label();
        status.setId("modelsStatus");
        status.textProperty().bind(vm.statusProperty());
        setTop(new HBox(8, add, rescan, serve, status));
    }

    private static TableColumn<DiscoveredModel, String> column(String title, Function<DiscoveredModel, String> value) {
        TableColumn<DiscoveredModel, String> c = new TableColumn<>(title);
        c.setCellValueFactory(cell -> new ReadOnlyStringWrapper(value.apply(cell.getValue())));
        return c;
    }
}
