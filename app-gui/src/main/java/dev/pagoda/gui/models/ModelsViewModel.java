package dev.pagoda.gui.models;

import dev.pagoda.catalog.discovery.DiscoveredModel;
import dev.pagoda.catalog.discovery.DiscoveryResult;
import dev.pagoda.catalog.discovery.ModelDiscovery;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.Task;

/**
 * The Models tab's state: folders to search, the models found there (headers only, in a
 * background {@link Task}), and the choice handed to the Server tab.
 */
public final class ModelsViewModel {

    private final ModelDiscovery discovery;
    private final Executor background;
    private final Consumer<String> chooseModel;
    private final ObservableList<Path> roots = FXCollections.observableArrayList();
    private final ObservableList<DiscoveredModel> models = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("not scanned yet");
    private final ReadOnlyBooleanWrapper scanning = new ReadOnlyBooleanWrapper(false);

    /**
     * @param roots       folders searched at first (e.g. the HF hub cache); missing ones are reported, not fatal
     * @param chooseModel receives the path of the model to serve
     */
    public ModelsViewModel(ModelDiscovery discovery, List<Path> roots, Executor background, Consumer<String> chooseModel) {
        this.discovery = discovery;
        this.background = background;
        this.chooseModel = chooseModel;
        this.roots.setAll(roots);
    }

    /** Adds a folder (or .gguf file) and rescans. */
    public void addRoot(Path root) {
        if (!roots.contains(root)) roots.add(root);
        scan();
    }

    /** Rescans every root in the background; the list is replaced when it is done. */
    public void scan() {
        if (scanning.get()) return;
        scanning.set(true);
        status.set("scanning " + roots.size() + " folder(s)…");
        List<Path> snapshot = List.copyOf(roots);
        Task<DiscoveryResult> task = new Task<>() {
            @Override
            protected DiscoveryResult call() {
                return discovery.scan(snapshot);
            }
        };
        task.setOnSucceeded(e -> {
            DiscoveryResult r = task.getValue();
            models.setAll(r.models());
            status.set(r.models().size() + " model(s) found" + (r.problems().isEmpty() ? ""
                    : "; " + r.problems().size() + " problem(s): " + r.problems().getFirst().path() + ": "
                    + r.problems().getFirst().reason()));
            scanning.set(false);
        });
        task.setOnFailed(e -> {
            status.set("scan failed: " + task.getException().getMessage());
            scanning.set(false);
        });
        background.execute(task);
    }

    /** Hands {@code model} to the Server tab; it is loaded on the next Start. */
    public void serve(DiscoveredModel model) {
        chooseModel.accept(model.path().toString());
    }

    public ObservableList<Path> roots() { return roots; }
    public ObservableList<DiscoveredModel> models() { return models; }
    public ReadOnlyStringProperty statusProperty() { return status.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty scanningProperty() { return scanning.getReadOnlyProperty(); }
}
