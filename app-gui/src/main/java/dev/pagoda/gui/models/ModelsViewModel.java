package dev.pagoda.gui.models;

import dev.pagoda.catalog.config.HfConfigReader;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.discovery.DiscoveredModel;
import dev.pagoda.catalog.discovery.DiscoveryResult;
import dev.pagoda.catalog.discovery.ModelDiscovery;
import dev.pagoda.catalog.discovery.ModelFormat;
import dev.pagoda.catalog.gguf.GgufFile;
import dev.pagoda.catalog.gguf.GgufSpecMapper;
import dev.pagoda.gui.server.ServerViewModel;
import dev.pagoda.gui.server.ServerViewModel.Phase;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.Task;

/**
 * The Models tab's state: folders to search, the models found there with their shapes (headers
 * only, in a background {@link Task}), the memory planner's answer for each, and loading one: the
 * panel serves one model at a time, so Load hands it to the Server tab and starts it there (its
 * progress and Cancel are the Server tab's), Unload stops it.
 */
public final class ModelsViewModel {

    private final ModelDiscovery discovery;
    private final Executor background;
    private final ServerViewModel server;
    private final Supplier<PlanInputs> planInputs;
    private final ObservableList<Path> roots = FXCollections.observableArrayList();
    private final ObservableList<DiscoveredModel> models = FXCollections.observableArrayList();
    private final Map<Path, Object> specs = new HashMap<>(); // path -> ModelSpec, or the String reason it could not be read
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("not scanned yet");
    private final ReadOnlyBooleanWrapper scanning = new ReadOnlyBooleanWrapper(false);

    /**
     * @param roots      folders searched at first (e.g. the HF hub cache); missing ones are reported, not fatal
     * @param server     the Server tab, which loads a model by starting on it
     * @param planInputs this machine's memory and the Server tab's KV settings, read when a plan is shown
     */
    public ModelsViewModel(ModelDiscovery discovery, List<Path> roots, Executor background, ServerViewModel server,
                           Supplier<PlanInputs> planInputs) {
        this.discovery = discovery;
        this.background = background;
        this.server = server;
        this.planInputs = planInputs;
        this.roots.setAll(roots);
    }

    /** The Server tab's KV settings with this machine's RAM; the panel's defaults where a field does not parse yet. */
    public static PlanInputs planInputsOf(ServerViewModel server, long ramBytes) {
        var limits = server.settingsOrDefaults().engine();
        return new PlanInputs(ramBytes, limits.kvCacheMiB() << 20, limits.blockSize(), limits.maxModelLen());
    }

    /** Adds a folder (or .gguf file) and rescans. */
    public void addRoot(Path root) {
        if (!roots.contains(root)) roots.add(root);
        scan();
    }

    private record Scan(DiscoveryResult result, Map<Path, Object> specs) {}

    /** Rescans every root in the background; the list is replaced when it is done. */
    public void scan() {
        if (scanning.get()) return;
        scanning.set(true);
        status.set("scanning " + roots.size() + " folder(s)…");
        List<Path> snapshot = List.copyOf(roots);
        Task<Scan> task = new Task<>() {
            @Override
            protected Scan call() {
                DiscoveryResult r = discovery.scan(snapshot);
                Map<Path, Object> read = new HashMap<>();
                for (DiscoveredModel m : r.models()) read.put(m.path(), readSpec(m));
                return new Scan(r, read);
            }
        };
        task.setOnSucceeded(e -> {
            DiscoveryResult r = task.getValue().result();
            specs.clear();
            specs.putAll(task.getValue().specs());
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

    /** Headers only, as discovery read them; a model whose shape cannot be read gets the reason instead. */
    private static Object readSpec(DiscoveredModel m) {
        try {
            if (m.format() == ModelFormat.GGUF) {
                try (GgufFile gguf = GgufFile.open(m.path())) {
                    return GgufSpecMapper.map(gguf);
                }
            }
            return HfConfigReader.readFolder(m.path());
        } catch (RuntimeException e) {
            return "shape not readable: " + e.getMessage();
        }
    }

    /** The planner's answer for {@code model} with the current settings; empty while its shape is unknown. */
    public java.util.Optional<ModelFit> fit(DiscoveredModel model) {
        if (!(specs.get(model.path()) instanceof ModelSpec spec)) return java.util.Optional.empty();
        return ModelFit.weightDType(model.dtype()).map(w -> ModelFit.plan(spec, w, model.contextLength(), planInputs.get()));
    }

    /** The Models table's plan column. */
    public String planText(DiscoveredModel model) {
        Object spec = specs.get(model.path());
        if (spec instanceof String reason) return reason;
        if (spec == null) return "–";
        try {
            return fit(model).map(ModelFit::summary).orElse("no memory formula for weights stored as " + model.dtype());
        } catch (IllegalArgumentException e) { // a half-typed Server tab setting: the plan waits for a valid one
            return "no plan: " + e.getMessage();
        }
    }

    /** Hands {@code model} to the Server tab; it is loaded on the next Start. */
    public void serve(DiscoveredModel model) {
        server.modelProperty().set(model.path().toString());
    }

    /** Serves {@code model}: the Server tab starts on it, showing the load's progress. */
    public void load(DiscoveredModel model) {
        if (server.phaseProperty().get() != Phase.STOPPED) return;
        serve(model);
        server.start();
    }

    /** Stops the served model (and the server over it); its memory is released. */
    public void unload() {
        server.stop();
    }

    public ServerViewModel server() { return server; }
    public ObservableList<Path> roots() { return roots; }
    public ObservableList<DiscoveredModel> models() { return models; }
    public ReadOnlyStringProperty statusProperty() { return status.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty scanningProperty() { return scanning.getReadOnlyProperty(); }
}
