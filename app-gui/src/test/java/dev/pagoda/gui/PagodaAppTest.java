package dev.pagoda.gui;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.engine.api.EngineState;
import dev.pagoda.engine.api.InferenceEngine;
import dev.pagoda.engine.telemetry.KvSnapshot;
import dev.pagoda.engine.telemetry.KvSnapshot.BlockState;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.catalog.tokenizer.Tokenizer;
import dev.pagoda.gui.kv.BlockInfo;
import dev.pagoda.gui.kv.BlockRanges;
import dev.pagoda.gui.kv.BlockRaster;
import dev.pagoda.gui.playground.ChatTurn;
import dev.pagoda.gui.playground.PlaygroundViewModel;
import dev.pagoda.gui.requests.RequestLogEntry;
import dev.pagoda.gui.throughput.ThroughputViewModel.Point;
import java.util.Arrays;
import javafx.scene.control.TextArea;
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
        // 8 MiB of KV for the default model (128 KiB a block at block size 16) = 64 blocks: requests fill it visibly.
        app.serverModel().portProperty().set("0");
        app.serverModel().kvCacheMiBProperty().set("8");
    }

    @AfterEach
    void closeApp() {
        app.stop();
    }

    @Test
    void startServeStepAndStopFromThePanel(FxRobot robot) throws Exception {
        robot.interact(() -> app.serverModel().allowedOriginsProperty().set("http://panel.test"));
        robot.clickOn("#startServer");
        waitFor("server running", () -> app.serverModel().phaseProperty().get() == Phase.RUNNING);
        InferenceEngine engine = app.server().running().orElseThrow().engine();
        int port = app.server().running().orElseThrow().server().port();
        assertEquals("http://127.0.0.1:" + port + "/v1", robot.lookup("#serverUrl").queryAs(TextField.class).getText());
        var info = app.server().running().orElseThrow().engine().model();
        assertEquals(info.device() + ", " + info.weightDtype() + " weights",
                robot.lookup("#serverDevice").queryAs(javafx.scene.control.Label.class).getText(), "where the engine runs");

        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> cors = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/models"))
                .header("Origin", "http://panel.test").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("http://panel.test", cors.headers().firstValue("access-control-allow-origin").orElse(null),
                "the CORS field reaches the server");

        robot.clickOn("KV cache");
        robot.clickOn("#pauseEngine");
        waitFor("engine paused", () -> app.controls().pausedProperty().get() && engine.isPaused());

        List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            prompts.add("request " + i + " walks through the paged KV cache one block at a time");
            String body = "{\"model\":\"" + engine.model().servedName() + "\",\"prompt\":\"" + prompts.get(i)
                    + "\",\"max_tokens\":24,\"temperature\":0}";
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
        Tokenizer tokenizer = engine.model().tokenizer().orElseThrow();
        robot.interact(() -> assertHoverAndTablesShow(paused.kvSnapshot(), vm, tokenizer, prompts));
        waitFor("the request table shows the block tables", () -> onFx(() -> requestTableShows(paused.kvSnapshot())));

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
        // The KV usage chart has each of those steps' own usage.
        List<Point> kvPoints = onFx(() -> app.batchModel().kvUsagePoints());
        for (StepStats s : stepped) {
            assertTrue(kvPoints.contains(new Point(s.stepIndex(), s.kvUsage() * 100)), "no KV point for step " + s.stepIndex() + " in " + kvPoints);
        }

        robot.clickOn("KV cache");
        robot.clickOn("#resumeEngine");
        List<JsonNode> bodies = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> reply : replies) {
            HttpResponse<String> r = reply.get(60, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), r.body());
            bodies.add(JSON.readTree(r.body()));
        }
        assertRequestLogShows(bodies);
        assertPlaygroundStreamsTheGreedyReply(robot, engine, http, port);

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
        assertEquals(List.of("pagoda-server.png", "pagoda-models.png", "pagoda-kv-cache.png", "pagoda-batch.png",
                        "pagoda-playground.png"),
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

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Hovering any held block shows its owner's tokens for that block and their text. The reference:
     * the prompts this test sent, tokenized here as the completions endpoint does (with BOS), followed
     * by the tokens the engine sampled; a block's slice decoded by the model's tokenizer.
     */
    private static void assertHoverAndTablesShow(KvSnapshot engine, KvCacheViewModel vm, Tokenizer tokenizer, List<String> prompts) {
        int checked = 0;
        for (String id : engine.requestIds()) {
            int[] all = engine.tokenIds(id);
            int[] prompt = null;
            for (String p : prompts) {
                int[] ids = tokenizer.encode(p, true);
                if (ids.length <= all.length && Arrays.equals(ids, Arrays.copyOf(all, ids.length))) prompt = ids;
            }
            assertTrue(prompt != null, "request " + id + "'s tokens start with none of the prompts sent");
            int[] expectedAll = Arrays.copyOf(prompt, all.length);
            System.arraycopy(all, prompt.length, expectedAll, prompt.length, all.length - prompt.length);
            int[] table = engine.blockTable(id);
            assertArrayEquals(table, vm.blockTables().get(id), "block table of " + id);
            // The table holds exactly the blocks that list the request as an owner.
            List<Integer> owned = new ArrayList<>();
            for (int b = 0; b < engine.numBlocks(); b++) if (engine.owners(b).contains(id)) owned.add(b);
            assertEquals(owned, Arrays.stream(table).sorted().boxed().toList(), "blocks of " + id);
            for (int logical = 0; logical < table.length; logical++) {
                int b = table[logical];
                if (!engine.owners(b).getFirst().equals(id)) continue; // a shared block shows its first owner's view
                BlockInfo info = vm.blockInfo(b);
                int from = logical * engine.blockSize();
                int[] expected = Arrays.copyOfRange(expectedAll, from, Math.min(from + engine.tokenCount(b), expectedAll.length));
                String at = "block " + b + " (logical " + logical + " of " + id + ")";
                assertEquals(id, info.tokens().requestId(), at);
                assertEquals(from, info.tokens().from(), at);
                assertArrayEquals(expected, info.tokens().ids(), at);
                assertEquals(tokenizer.decode(expected, false), info.tokens().text(), at);
                assertTrue(info.describe().contains(String.join(", ", engine.owners(b))), info.describe());
                checked++;
            }
        }
        assertTrue(checked >= 3, "only " + checked + " blocks compared");
    }

    private boolean requestTableShows(KvSnapshot engine) {
        String text = app.kvView().lookup("#kvRequests") instanceof TextArea t ? t.getText() : "";
        for (String id : engine.requestIds()) {
            if (!text.contains(id + " (" + engine.blockTable(id).length + " blocks): " + BlockRanges.format(engine.blockTable(id)) + "\n")) {
                return false;
            }
        }
        return !engine.requestIds().isEmpty();
    }

    /** Each HTTP request is a row of the log with the usage its response reported, its finish reason and a TTFT. */
    private void assertRequestLogShows(List<JsonNode> bodies) {
        List<String> ids = bodies.stream().map(b -> b.get("id").asText() + "-0").toList(); // the engine's id of choice 0
        waitFor("the log shows the finished requests", () -> onFx(() -> app.requestLogModel().rows().stream()
                .filter(r -> ids.contains(r.requestId()) && r.finished()).count() == ids.size()));
        List<RequestLogEntry> rows = onFx(() -> List.copyOf(app.requestLogModel().rows()));
        for (JsonNode body : bodies) {
            String id = body.get("id").asText() + "-0";
            RequestLogEntry row = rows.stream().filter(r -> r.requestId().equals(id)).findFirst().orElseThrow();
            assertEquals(body.get("usage").get("prompt_tokens").asInt(), row.promptTokens(), id);
            assertEquals(body.get("usage").get("completion_tokens").asInt(), row.outputTokens(), id);
            assertEquals(body.get("choices").get(0).get("finish_reason").asText(), row.status(), id);
            assertTrue(row.ttftSeconds() > 0 && row.ttftSeconds() < 60, id + " TTFT " + row.ttftSeconds());
        }
        // The TTFT chart has each finished request's TTFT.
        waitFor("the TTFT chart has the requests", () -> onFx(() -> app.batchModel().ttftPoints().size() >= ids.size()));
        List<Double> ttfts = onFx(() -> app.batchModel().ttftPoints().stream().map(Point::y).toList());
        for (String id : ids) {
            double ttft = rows.stream().filter(r -> r.requestId().equals(id)).findFirst().orElseThrow().ttftSeconds() * 1000;
            assertTrue(ttfts.contains(ttft), "no TTFT point " + ttft + " in " + ttfts);
        }
    }

    /**
     * The Playground streams its reply (text appears while the engine, paused and stepped, has not
     * finished it), and the whole reply equals a non-streamed greedy chat completion of the same
     * message over HTTP.
     */
    private void assertPlaygroundStreamsTheGreedyReply(FxRobot robot, InferenceEngine engine, HttpClient http, int port) throws Exception {
        PlaygroundViewModel pg = app.playgroundModel();
        String message = "Hello there! Tell me about paged attention.";
        robot.clickOn("Playground");
        robot.interact(() -> {
            pg.temperatureProperty().set("0");
            pg.topPProperty().set("1");
            pg.maxTokensProperty().set("16");
            pg.inputProperty().set(message);
        });
        engine.pause();
        robot.clickOn("#playgroundSend");
        waitFor("the playground request is queued", () -> engine.state().queues().waiting() + engine.state().queues().running() > 0);
        for (int i = 0; i < 4; i++) engine.step();
        waitFor("streamed text while the reply runs", () -> onFx(() -> !pg.pull().isEmpty() && pg.busyProperty().get()));
        String partial = onFx(pg::pull);
        engine.resume();
        waitFor("the playground reply", () -> onFx(() -> !pg.busyProperty().get()));
        List<ChatTurn> turns = onFx(() -> List.copyOf(pg.conversation()));
        assertEquals(List.of("user", "assistant"), turns.stream().map(ChatTurn::role).toList());
        String reply = turns.get(1).content();
        assertTrue(reply.startsWith(partial) && reply.length() > partial.length(), "streamed '" + partial + "' then '" + reply + "'");

        String body = "{\"model\":\"" + engine.model().servedName() + "\",\"messages\":[{\"role\":\"user\",\"content\":"
                + JSON.writeValueAsString(message) + "}],\"max_tokens\":16,\"temperature\":0}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(JSON.readTree(r.body()).get("choices").get(0).get("message").get("content").asText(), reply);
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
