package dev.pagoda.gui.bench;

import dev.pagoda.engine.api.EngineState;
import dev.pagoda.engine.api.EngineTotals;
import dev.pagoda.engine.telemetry.KvSnapshot;
import dev.pagoda.gui.FxThread;
import dev.pagoda.gui.kv.BlockRaster;
import dev.pagoda.gui.kv.KvCacheViewModel;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.canvas.Canvas;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.Pane;
import javafx.stage.Stage;

/**
 * Times one visualizer frame at 16k blocks and 256 running requests: the view-model taking a new
 * snapshot, painting the pixel buffer, and on the FX thread putting it on a Canvas and rendering it
 * (a snapshot of the canvas forces the render a pulse would do). Every frame gets a different
 * snapshot, the worst case: a new engine step each frame.
 *
 * <p>Usage: {@code KvFrameBenchmark [blocks] [requests] [width] [height] [frames]}. Headless, from
 * the repository root after {@code ./mvnw -q -pl app-gui -am test-compile dependency:build-classpath
 * -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/gui-cp.txt}:
 * <pre>
 * java --add-modules jdk.incubator.vector -Dglass.platform=Monocle -Dmonocle.platform=Headless \
 *   -Dprism.order=sw -Dprism.text=t2k -cp app-gui/target/classes:$(cat /tmp/gui-cp.txt) \
 *   dev.pagoda.gui.bench.KvFrameBenchmark
 * </pre>
 */
public final class KvFrameBenchmark {

    private KvFrameBenchmark() {}

    public static void main(String[] args) throws Exception {
        int blocks = args.length > 0 ? Integer.parseInt(args[0]) : 16_384;
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int width = args.length > 2 ? Integer.parseInt(args[2]) : 1024;
        int height = args.length > 3 ? Integer.parseInt(args[3]) : 640;
        int frames = args.length > 4 ? Integer.parseInt(args[4]) : 600;

        EngineState[] states = new EngineState[8];
        for (int i = 0; i < states.length; i++) {
            KvSnapshot s = SyntheticKvSnapshots.busy(blocks, requests, 16, i);
            states[i] = new EngineState(null, s, EngineTotals.ZERO);
        }
        KvCacheViewModel vm = new KvCacheViewModel();
        BlockRaster raster = new BlockRaster(width, height, blocks);

        CountDownLatch started = new CountDownLatch(1);
        Platform.startup(started::countDown);
        started.await();
        Canvas canvas = new Canvas(width, height);
        WritableImage image = new WritableImage(width, height);
        onFx(() -> {
            Stage stage = new Stage();
            stage.setScene(new Scene(new Pane(canvas), width, height));
            stage.show();
        });

        long[] update = new long[frames];
        long[] table = new long[frames];
        long[] paint = new long[frames];
        long[] draw = new long[frames];
        long[] render = new long[frames];
        int warmup = frames / 3;
        for (int f = -warmup; f < frames; f++) {
            EngineState state = states[Math.floorMod(f, states.length)];
            long t0 = System.nanoTime();
            vm.update(state);
            long t1 = System.nanoTime();
            vm.blockTables(); // the block tables beside the map, rebuilt on every new snapshot
            long t1b = System.nanoTime();
            raster.paint(vm);
            long t2 = System.nanoTime();
            long[] fx = onFx(() -> {
                long a = System.nanoTime();
                image.getPixelWriter().setPixels(0, 0, width, height, PixelFormat.getIntArgbInstance(), raster.pixels(), 0, width);
                canvas.getGraphicsContext2D().drawImage(image, 0, 0);
                long b = System.nanoTime();
                canvas.snapshot(null, null);
                return new long[] {b - a, System.nanoTime() - b};
            });
            if (f >= 0) {
                update[f] = t1 - t0;
                table[f] = t1b - t1;
                paint[f] = t2 - t1b;
                draw[f] = fx[0];
                render[f] = fx[1];
            }
        }
        long[] total = new long[frames];
        for (int f = 0; f < frames; f++) total[f] = update[f] + table[f] + paint[f] + draw[f] + render[f];
        System.out.printf("KV frame: %d blocks, %d requests, %dx%d px (cell %d px), %d frames, java %s%n",
                blocks, requests, width, height, raster.cellSize(), frames, System.getProperty("java.version"));
        print("view-model update", update);
        print("request table", table);
        print("paint pixels", paint);
        print("setPixels+drawImage", draw);
        print("render (snapshot)", render);
        print("frame total", total);
        Platform.exit();
    }

    private static void print(String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf("  %-22s median %7.3f ms   p99 %7.3f ms   max %7.3f ms%n", what,
                s[s.length / 2] / 1e6, s[(int) (s.length * 0.99)] / 1e6, s[s.length - 1] / 1e6);
    }

    private static <T> T onFx(java.util.concurrent.Callable<T> work) throws Exception {
        return FxThread.call(work).get();
    }

    private static void onFx(Runnable work) throws Exception {
        onFx(() -> {
            work.run();
            return null;
        });
    }
}
