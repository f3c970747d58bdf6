package dev.pagoda.gui.tour;

import dev.pagoda.engine.api.InferenceEngine;
import dev.pagoda.gui.FxThread;
import dev.pagoda.gui.PagodaApp;
import dev.pagoda.gui.kv.CellKind;
import dev.pagoda.gui.kv.KvCacheViewModel;
import dev.pagoda.gui.server.ServerViewModel.Phase;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.scene.control.TabPane;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.stage.Stage;
import javax.imageio.ImageIO;

/**
 * Writes a PNG of every tab while a workload runs: starts the embedded default model and server as
 * the Server tab would, sends concurrent completions over HTTP, pauses the engine once requests
 * hold blocks (so the shots show a busy cache) and a Playground chat streams, then snapshots each tab.
 *
 * <p>Usage: {@code ScreenshotTour <output folder>}; headless with the flags of
 * {@link dev.pagoda.gui.bench.KvFrameBenchmark}.
 */
public final class ScreenshotTour {

    /** What the workload's completions continue: English the demo model knows. */
    private static final List<String> OPENINGS = List.of("In the beginning God created", "The Lord is my shepherd;",
            "Blessed are the meek:", "And God said, Let there be", "For God so loved the world,", "Honour thy father and thy mother:");

    private ScreenshotTour() {}

    /**
     * What runs while the shots are taken.
     *
     * @param requests          concurrent completions
     * @param maxTokens         tokens each generates
     * @param stepsBeforeShots  engine steps to run before pausing, so the Batch chart has history
     */
    public record Workload(int requests, int maxTokens, long stepsBeforeShots) {
        /** Six requests overflow the 64-block cache a little: the shots may show preemption. */
        public static final Workload README = new Workload(6, 120, 40);
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: ScreenshotTour <output folder>");
            System.exit(2);
        }
        CountDownLatch started = new CountDownLatch(1);
        Platform.startup(started::countDown);
        started.await();
        PagodaApp app = new PagodaApp();
        Stage stage = onFx(() -> {
            Stage s = new Stage();
            app.start(s);
            return s;
        });
        try {
            for (Path png : capture(app, stage, Path.of(args[0]), Workload.README)) System.out.println("wrote " + png);
        } finally {
            onFx(() -> {
                app.stop();
                return null;
            });
            Platform.exit();
        }
    }

    /** Runs the tour on a shown app; call off the FX thread. Returns the PNGs written, one per tab. */
    public static List<Path> capture(PagodaApp app, Stage stage, Path outDir, Workload workload) throws Exception {
        Files.createDirectories(outDir);
        onFx(() -> {
            app.serverModel().portProperty().set("0");
            app.serverModel().kvCacheMiBProperty().set("8"); // 64 blocks of the demo model (128 KiB each): a legible, busy map
            app.serverModel().start();
            return null;
        });
        waitUntil("the server to start", () -> onFx(() -> app.serverModel().phaseProperty().get() == Phase.RUNNING));
        InferenceEngine engine = app.server().running().orElseThrow().engine();
        int port = app.server().running().orElseThrow().server().port();

        HttpClient http = HttpClient.newHttpClient();
        // Two short requests that finish first, so the Batch tab's TTFT chart has points to show.
        for (int i = 0; i < 2; i++) {
            String body = "{\"model\":\"" + engine.model().servedName() + "\",\"prompt\":\"A short warm-up " + i
                    + "\",\"max_tokens\":4,\"temperature\":0}";
            http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/completions"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        }
        List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
        for (int i = 0; i < workload.requests(); i++) {
            // One shared opening (a cached prefix in the KV map), then each its own verse to continue.
            String prompt = "Here are the opening words of a verse from the King James Bible, and the rest of it. "
                    + OPENINGS.get(i % OPENINGS.size());
            String body = "{\"model\":\"" + engine.model().servedName() + "\",\"prompt\":\"" + prompt
                    + "\",\"max_tokens\":" + workload.maxTokens() + ",\"temperature\":0}";
            replies.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/completions"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        // A chat in the Playground at the same time: its reply streams while the other requests fill the cache.
        onFx(() -> {
            app.playgroundModel().maxTokensProperty().set(Integer.toString(workload.maxTokens()));
            app.playgroundModel().inputProperty().set("What is a KV cache?");
            app.playgroundModel().send();
            return null;
        });
        // Some decode steps in, so the Batch chart has history; through the panel's own Pause button logic.
        waitUntil("the workload to get going", () -> engine.state().totals().steps() >= workload.stepsBeforeShots()
                || replies.stream().allMatch(CompletableFuture::isDone));
        onFx(() -> {
            app.controls().pause();
            return null;
        });
        waitUntil("the engine to pause", () -> onFx(() -> app.controls().pausedProperty().get()));
        List<Path> written = new ArrayList<>();
        try {
            TabPane tabs = (TabPane) stage.getScene().getRoot();
            for (int i = 0; i < tabs.getTabs().size(); i++) {
                int index = i;
                String name = onFx(() -> {
                    tabs.getSelectionModel().select(index);
                    if (tabs.getTabs().get(index).getContent() == app.kvView()) hoverABusyBlock(app);
                    return tabs.getTabs().get(index).getText();
                });
                Thread.sleep(300); // a few frames: the tab's AnimationTimer draws the paused engine's state
                WritableImage shot = onFx(() -> stage.getScene().snapshot(null));
                Path png = outDir.resolve("pagoda-" + name.toLowerCase().replace(' ', '-') + ".png");
                writePng(shot, png);
                written.add(png);
            }
        } finally {
            onFx(() -> {
                app.controls().resume();
                return null;
            });
        }
        for (CompletableFuture<HttpResponse<String>> reply : replies) reply.get(120, TimeUnit.SECONDS);
        waitUntil("the playground reply", () -> onFx(() -> !app.playgroundModel().busyProperty().get()));
        return written;
    }

    /** The hover line of a held block, preferring a shared one: the shot then shows a block's tokens and text. */
    private static void hoverABusyBlock(PagodaApp app) {
        KvCacheViewModel vm = app.kvModel();
        int chosen = -1;
        for (int b = 0; b < vm.numBlocks(); b++) {
            if (vm.kind(b) == CellKind.SHARED) {
                chosen = b;
                break;
            }
            if (chosen < 0 && vm.kind(b) == CellKind.HELD) chosen = b;
        }
        app.kvView().showBlock(chosen);
    }

    private static void writePng(WritableImage image, Path png) throws IOException {
        int w = (int) image.getWidth();
        int h = (int) image.getHeight();
        int[] argb = new int[w * h];
        image.getPixelReader().getPixels(0, 0, w, h, PixelFormat.getIntArgbInstance(), argb, 0, w);
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        out.setRGB(0, 0, w, h, argb, 0, w);
        if (!ImageIO.write(out, "png", png.toFile())) throw new IOException("no PNG writer for " + png);
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void waitUntil(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!check.ok()) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    private static <T> T onFx(Callable<T> work) throws Exception {
        return FxThread.call(work).get(60, TimeUnit.SECONDS);
    }
}
