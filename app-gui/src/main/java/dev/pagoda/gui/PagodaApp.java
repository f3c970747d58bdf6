package dev.pagoda.gui;

import dev.pagoda.engine.api.EngineState;
import dev.pagoda.engine.api.InferenceEngine;
import dev.pagoda.engine.core.LocalEngine;
import dev.pagoda.catalog.discovery.ModelDiscovery;
import dev.pagoda.catalog.demo.DemoModels;
import dev.pagoda.catalog.hub.HubCache;
import dev.pagoda.gui.kv.KvCacheView;
import dev.pagoda.gui.models.ModelsView;
import dev.pagoda.gui.models.ModelsViewModel;
import dev.pagoda.gui.kv.KvCacheViewModel;
import dev.pagoda.gui.kv.TeachingControls;
import dev.pagoda.gui.models.PlanInputs;
import dev.pagoda.gui.playground.PlaygroundView;
import dev.pagoda.gui.playground.PlaygroundViewModel;
import dev.pagoda.gui.requests.ObservedEngine;
import dev.pagoda.gui.requests.RequestLog;
import dev.pagoda.gui.requests.RequestLogViewModel;
import dev.pagoda.gui.server.EmbeddedServer;
import dev.pagoda.gui.server.ServerView;
import dev.pagoda.gui.server.ServerViewModel;
import dev.pagoda.gui.throughput.StepRecorder;
import dev.pagoda.gui.throughput.ThroughputView;
import dev.pagoda.gui.throughput.ThroughputViewModel;
import dev.pagoda.webapi.server.PagodaServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javafx.application.Application;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.stage.Stage;

/**
 * The control panel: the Server tab starts the embedded engine and OpenAI server and logs its
 * requests, the Models tab lists local models with their memory plans and loads one, the KV cache
 * tab shows the blocks live, the Batch tab each step's tokens and the latency charts, the
 * Playground chats with the model. Closing the window stops the server, then the engine.
 */
public class PagodaApp extends Application {

    /** The latest 500 requests' streams, as their consumers (HTTP handlers, the playground) read them. */
    private final RequestLog requestLog = new RequestLog(500, System::nanoTime);
    private final EmbeddedServer server = new EmbeddedServer(
            config -> new ObservedEngine(LocalEngine.start(config), requestLog), PagodaServer::start);
    private final ExecutorService background = Executors.newThreadPerTaskExecutor(
            Thread.ofPlatform().name("pagoda-gui-task-", 0).daemon().factory());
    private ServerViewModel serverModel;
    private KvCacheViewModel kvModel;
    private TeachingControls controls;
    private KvCacheView kvView;
    private ThroughputViewModel batchModel;
    private ThroughputView batchView;
    private ModelsViewModel modelsModel;
    private ServerView serverView;
    private RequestLogViewModel requestLogModel;
    private PlaygroundViewModel playgroundModel;
    private PlaygroundView playgroundView;

    @Override
    public void start(Stage stage) {
        serverModel = new ServerViewModel(server, background, this::showError);
        kvModel = new KvCacheViewModel(() -> engine().flatMap(e -> e.model().tokenizer()));
        controls = new TeachingControls(this::engine, background, this::showError);
        kvView = new KvCacheView(kvModel, controls, () -> engine().map(InferenceEngine::state).orElse(null));
        // 4096 steps queued between two frames is ~60k steps/s at 15 fps: more than any engine runs.
        StepRecorder recorder = new StepRecorder(4096, System::nanoTime);
        batchModel = new ThroughputViewModel(240, 5_000_000_000L);
        batchView = new ThroughputView(batchModel, recorder, System::nanoTime, requestLog);
        requestLogModel = new RequestLogViewModel(requestLog);
        playgroundModel = new PlaygroundViewModel(this::engine, background, this::showError);
        playgroundView = new PlaygroundView(playgroundModel);
        serverModel.phaseProperty().addListener((o, a, phase) -> {
            controls.refresh();
            if (phase == ServerViewModel.Phase.RUNNING) engine().ifPresent(e -> e.addStepListener(recorder));
        });

        // The HF hub cache and the shipped demo models (the default one and its draft).
        List<Path> modelRoots = List.of(HubCache.defaultLocation(System.getenv(), Path.of(System.getProperty("user.home"))),
                DemoModels.root());
        long ram = PlanInputs.physicalMemoryBytes();
        modelsModel = new ModelsViewModel(new ModelDiscovery(), modelRoots, background, serverModel,
                () -> ModelsViewModel.planInputsOf(serverModel, ram));
        Tab modelsTab = new Tab("Models", new ModelsView(modelsModel));
        modelsTab.setId("modelsTab");
        serverView = new ServerView(serverModel, requestLogModel);
        Tab serverTab = new Tab("Server", serverView);
        serverTab.setId("serverTab");
        Tab kvTab = new Tab("KV cache", kvView);
        kvTab.setId("kvTab");
        Tab batchTab = new Tab("Batch", batchView);
        batchTab.setId("batchTab");
        Tab playgroundTab = new Tab("Playground", playgroundView);
        playgroundTab.setId("playgroundTab");
        TabPane tabs = new TabPane(serverTab, modelsTab, kvTab, batchTab, playgroundTab);
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);

        stage.setTitle("Pagoda");
        stage.setScene(new Scene(tabs, 1100, 700));
        stage.show();
        modelsModel.scan();
    }

    private Optional<InferenceEngine> engine() {
        return server.running().map(EmbeddedServer.Running::engine);
    }

    private void showError(String message) {
        Alert alert = new Alert(Alert.AlertType.ERROR, message);
        alert.setHeaderText(null);
        alert.setTitle("Pagoda");
        alert.show(); // not showAndWait: errors can arrive from a task's handler mid-pulse
    }

    /** Called by JavaFX when the last window closes (or Platform.exit): free the port and the model. */
    @Override
    public void stop() {
        if (kvView != null) kvView.dispose();
        if (batchView != null) batchView.dispose();
        if (serverView != null) serverView.dispose();
        if (playgroundView != null) playgroundView.dispose();
        server.stop();
        background.shutdownNow();
    }

    /** For tests: the view-models behind the tabs and the running server. */
    public ServerViewModel serverModel() { return serverModel; }
    public KvCacheViewModel kvModel() { return kvModel; }
    public TeachingControls controls() { return controls; }
    public EmbeddedServer server() { return server; }
    public KvCacheView kvView() { return kvView; }
    public ThroughputViewModel batchModel() { return batchModel; }
    public ModelsViewModel modelsModel() { return modelsModel; }
    public RequestLogViewModel requestLogModel() { return requestLogModel; }
    public PlaygroundViewModel playgroundModel() { return playgroundModel; }
}
