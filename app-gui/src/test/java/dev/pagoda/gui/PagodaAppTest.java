package dev.pagoda.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.engine.api.EngineState;
import dev.pagoda.engine.api.InferenceEngine;
import dev.pagoda.engine.telemetry.KvSnapshot;
import dev.pagoda.engine.telemetry.KvSnapshot.BlockState;
import dev.pagoda.gui.kv.BlockRaster;
import dev.pagoda.gui.kv.CellKind;
import dev.pagoda.gui.kv.KvCacheViewModel;
import dev.pagoda.gui.kv.OwnerColors;
import dev.pagoda.engine.telemetry.StepStats;
import dev.pagoda.gui.server.ServerViewModel.Phase;
import dev.pagoda.gui.throughput.ThroughputViewModel.Bar;
import dev.pagoda.gui.tour.ScreenshotTour;
import java.awt.image.BufferedImage;
import java.net.InetAddress;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.io.TempDir;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javafx.scene.control.DialogPane;
import javafx.scene.control.TextField;
import javafx.scene.image.PixelReader;
import javafx.scene.image.WritableImage;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The panel end to end, headless: robot clicks start the embedded default model and server, real
 * HTTP requests run on it, and the block map is compared with the engine's own KvSnapshot.
 */
@ExtendWith(ApplicationExtension.class)
class PagodaAppTest {

    private PagodaApp app;
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        app = new PagodaApp();
        app.start(stage);
        // 4 MiB of KV for the default model (64 KiB a block at block size 16) = 64 blocks: requests fill it visibly.
        app.serverModel().portProperty().set("0");
        app.serverModel().kvCacheMiBProperty().set("4");
    }

    @AfterEach
    void closeApp() {
        app.stop();
    }

    @Test
    void startServeStepAndStopFromThePanel(FxRobot robot) throws Exception {
        robot.clickOn("#startServer");
        waitFor("server running", () -> app.serverModel().phaseProperty().get() == Phase.RUNNING);
        InferenceEngine engine = app.server().running().orElseThrow().engine();
        int port = app.server().running().orElseThrow().server().port();
        assertEquals("http://127.0.0.1:" + port + "/v1", robot.lookup("#serverUrl").queryAs(TextField.class).getText());

        robot.clickOn("KV cache");
        robot.clickOn("#pauseEngine");
        waitFor("engine paused", () -> app.controls().pausedProperty().get() && engine.isPaused());

        HttpClient http = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String body = "{\"model\":\"" + engine.model().servedName() + "\",\"prompt\":\"request " + i
                    + " walks through the paged KV cache one block at a time\",\"max_tokens\":24,\"temperature\":0}";
            replies.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/completions"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
        }

        // Step until all three requests hold blocks; every click must advance exactly one iteration.
        List<StepStats> stepped = new ArrayList<>();
        for (int clicks = 0; heldOwners(engine.state().kvSnapshot()) < 3; clicks++) {
            assertTrue(clicks < 200, "the three requests never held blocks after 200 steps");
            long before = stepIndex(engine.state());
            robot.clickOn("#stepEngine");
            waitFor("step done", () -> !app.controls().busyProperty().get());
            assertEquals(before + 1, stepIndex(engine.state()), "one click of Step, one engine iteration");
            assertTrue(engine.isPaused());
            stepped.add(engine.state().lastStep());
        }
        robot.clickOn("#stepEngine");
        waitFor("step done", () -> !app.controls().busyProperty().get());

        EngineState paused = engine.state();
        KvCacheViewModel vm = app.kvModel();
        waitFor("frame shows the latest step", () -> onFx(() -> vm.stepIndex()) == stepIndex(paused));
        robot.interact(() -> assertMapShows(paused.kvSnapshot(), vm, app.kvView().raster(),
                app.kvView().lookup("#kvCanvas").snapshot(null, null)));

        // The Batch tab's chart has a bar for each of those steps with its prefill and decode tokens.
        robot.clickOn("Batch");
        long lastStepped = stepped.getLast().stepIndex();
        waitFor("batch tab saw the steps", () -> onFx(() -> app.batchModel().latest() != null
                && app.batchModel().latest().stepIndex() >= lastStepped));
        List<Bar> bars = onFx(() -> app.batchModel().bars());
        for (StepStats s : stepped) {
            assertTrue(bars.contains(new Bar(s.stepIndex(), s.prefillTokens(), s.decodeTokens())),
                    "no bar for step " + s.stepIndex() + " in " + bars);
        }
        assertTrue(stepped.stream().anyMatch(s -> s.prefillTokens() > 0), "no prefill in the stepped steps");

        robot.clickOn("KV cache");
        robot.clickOn("#resumeEngine");
        for (CompletableFuture<HttpResponse<String>> reply : replies) {
            HttpResponse<String> r = reply.get(60, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"completion_tokens\""), r.body());
        }

        robot.clickOn("Server");
        robot.clickOn("#stopServer");
        waitFor("server stopped", () -> app.serverModel().phaseProperty().get() == Phase.STOPPED);
        assertTrue(app.server().running().isEmpty());
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertEquals(port, again.getLocalPort(), "Stop must free the port");
        }
    }

    /** Every block, as the engine reports it, is what the view-model holds and what the canvas shows. */
    private static void assertMapShows(KvSnapshot engine, KvCacheViewModel vm, BlockRaster raster, WritableImage canvas) {
        assertEquals(engine.numBlocks(), vm.numBlocks());
        assertEquals(engine.numBlocks(), raster.numBlocks());
        PixelReader pixels = canvas.getPixelReader();
        int side = raster.cellSize() >= 4 ? raster.cellSize() - 1 : raster.cellSize();
        int held = 0;
        for (int b = 0; b < engine.numBlocks(); b++) {
            String at = "block " + b;
            BlockState st = engine.state(b);
            CellKind expected = st == BlockState.FREE ? CellKind.FREE
                    : st == BlockState.CACHED_FREE ? CellKind.CACHED_FREE
                    : engine.refCount(b) > 1 ? CellKind.SHARED : CellKind.HELD;
            assertEquals(expected, vm.kind(b), at);
            assertEquals(engine.owners(b), vm.blockInfo(b).owners(), at);
            assertEquals(engine.refCount(b), vm.blockInfo(b).refCount(), at);
            assertEquals(engine.tokenCount(b), vm.blockInfo(b).tokenCount(), at);
            int[] o = raster.origin(b);
            assertEquals(vm.color(b), pixels.getArgb(o[0] + side / 2, o[1] + side / 2), at + " on the canvas");
            if (expected == CellKind.HELD || expected == CellKind.SHARED) held++;
        }
        assertTrue(held > 0, "no held block: the comparison would prove nothing");
    }

    @Test
    void aBadSettingShowsItsReasonAndStartsNothing(FxRobot robot) {
        robot.interact(() -> app.serverModel().blockSizeProperty().set("0"));
        robot.clickOn("#startServer");
        waitFor("error dialog", () -> !robot.lookup(".dialog-pane").queryAll().isEmpty());
        String text = robot.lookup(".dialog-pane").queryAs(DialogPane.class).getContentText();
        assertTrue(text.contains("--block-size must be in [1, 256], got 0"), text);
        assertEquals(Phase.STOPPED, app.serverModel().phaseProperty().get());
        assertFalse(app.server().running().isPresent());
    }

    @Test
    void aBusyPortShowsItsReasonAndLeavesNoEngine(FxRobot robot) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            robot.interact(() -> app.serverModel().portProperty().set(Integer.toString(taken.getLocalPort())));
            robot.clickOn("#startServer");
            waitFor("error dialog", () -> !robot.lookup(".dialog-pane").queryAll().isEmpty());
            String text = robot.lookup(".dialog-pane").queryAs(DialogPane.class).getContentText();
            assertTrue(text.startsWith("Could not start the server: cannot listen on 127.0.0.1:" + taken.getLocalPort()), text);
            assertEquals(Phase.STOPPED, app.serverModel().phaseProperty().get());
            assertFalse(app.server().running().isPresent());
        }
    }

    @Test
    void theScreenshotTourWritesOnePngPerTab(@TempDir Path dir) throws Exception {
        List<Path> pngs = ScreenshotTour.capture(app, stage, dir, new ScreenshotTour.Workload(3, 16, 4));
        assertEquals(List.of("pagoda-server.png", "pagoda-models.png", "pagoda-kv-cache.png", "pagoda-batch.png"),
                pngs.stream().map(p -> p.getFileName().toString()).toList());
        for (Path png : pngs) {
            BufferedImage image = ImageIO.read(png.toFile());
            assertEquals((int) stage.getScene().getWidth(), image.getWidth(), png.toString());
            assertEquals((int) stage.getScene().getHeight(), image.getHeight(), png.toString());
        }
        // Inside the canvas the map paints only the fixed colours and request colours: some pixel must be a request's.
        BufferedImage kv = ImageIO.read(dir.resolve("pagoda-kv-cache.png").toFile());
        javafx.geometry.Bounds canvas = onFx(() -> app.kvView().lookup("#kvCanvas").localToScene(
                app.kvView().lookup("#kvCanvas").getBoundsInLocal()));
        java.util.Set<Integer> fixed = java.util.Set.of(OwnerColors.FREE, OwnerColors.CACHED_FREE,
                OwnerColors.SHARED_MARK, OwnerColors.BACKGROUND);
        int requestPixels = 0;
        for (int y = (int) canvas.getMinY() + 1; y < (int) canvas.getMaxY() - 1; y++) {
            for (int x = (int) canvas.getMinX() + 1; x < (int) canvas.getMaxX() - 1; x++) {
                if (!fixed.contains(kv.getRGB(x, y))) requestPixels++;
            }
        }
        assertTrue(requestPixels > 0, "no request-coloured block in the KV cache screenshot");
    }

    private static int heldOwners(KvSnapshot s) {
        java.util.Set<String> owners = new java.util.HashSet<>();
        for (int b = 0; b < s.numBlocks(); b++) owners.addAll(s.owners(b));
        return owners.size();
    }

    private static long stepIndex(EngineState s) {
        return s.lastStep() == null ? -1 : s.lastStep().stepIndex();
    }

    private static void waitFor(String what, BooleanSupplier condition) {
        try {
            WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, condition::getAsBoolean);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("timed out waiting for: " + what, e);
        }
    }

    private static <T> T onFx(java.util.concurrent.Callable<T> read) {
        try {
            return WaitForAsyncUtils.asyncFx(read).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("reading on the FX thread failed", e);
        }
    }
}
