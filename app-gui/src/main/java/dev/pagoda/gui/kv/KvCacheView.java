package dev.pagoda.gui.kv;

import dev.pagoda.engine.api.EngineState;
import java.util.Map;
import java.util.function.Supplier;
import javafx.animation.AnimationTimer;
import javafx.geometry.Insets;
import javafx.scene.canvas.Canvas;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.shape.Rectangle;

/**
 * The KV-cache tab: every block a cell on one Canvas, redrawn in an {@link AnimationTimer} from the
 * engine's latest snapshot (pulled once per frame, never pushed per token), a legend with counts,
 * the hovered block, each request's blocks, and pause / step / resume.
 */
public final class KvCacheView extends BorderPane {

    /** In {@link CellKind} order. */
    private static final String[] LEGEND_NAMES = {"free", "cached free (prefix)", "held (colour = request)", "shared (ref > 1, white border)"};

    private final KvCacheViewModel vm;
    private final Supplier<EngineState> states;
    private final Canvas canvas = new Canvas(800, 480);
    private final Label hover = new Label("hover a block");
    private final Label step = new Label("step -");
    private final Label[] legendCounts = new Label[CellKind.values().length];
    private final TextArea requests = new TextArea();
    private final AnimationTimer timer;
    private BlockRaster raster;
    private WritableImage image;
    private boolean dirty;
    private boolean textStale;
    private long lastTextNanos = Long.MIN_VALUE / 2;
    private int hoveredBlock = -1;
    private long hoveredStep = Long.MIN_VALUE;

    /**
     * @param states the engine's latest state, or null while no engine runs
     */
    public KvCacheView(KvCacheViewModel vm, TeachingControls controls, Supplier<EngineState> states) {
        this.vm = vm;
        this.states = states;
        setPadding(new Insets(8));

        Pane canvasHolder = new Pane(canvas);
        canvasHolder.setMinSize(100, 100);
        canvas.widthProperty().bind(canvasHolder.widthProperty());
        canvas.heightProperty().bind(canvasHolder.heightProperty());
        canvas.widthProperty().addListener((o, a, b) -> dirty = true);
        canvas.heightProperty().addListener((o, a, b) -> dirty = true);
        canvas.setId("kvCanvas");
        canvas.setOnMouseMoved(e -> showHover(e.getX(), e.getY()));
        setCenter(canvasHolder);

        Button pause = new Button("Pause");
        pause.setId("pauseEngine");
        pause.setOnAction(e -> controls.pause());
        pause.disableProperty().bind(controls.pausedProperty().or(controls.busyProperty()));
        Button stepButton = new Button("Step one iteration");
        stepButton.setId("stepEngine");
        stepButton.setOnAction(e -> controls.step());
        stepButton.disableProperty().bind(controls.pausedProperty().not().or(controls.busyProperty()));
        Button resume = new Button("Resume");
        resume.setId("resumeEngine");
        resume.setOnAction(e -> controls.resume());
        resume.disableProperty().bind(controls.pausedProperty().not().or(controls.busyProperty()));
        step.setId("kvStep");
        hover.setId("kvHover");
        hover.setWrapText(true);
        hover.setMaxWidth(Double.MAX_VALUE);
        setTop(new VBox(6, new HBox(8, pause, stepButton, resume, step), legend(), hover));

        requests.setId("kvRequests");
        requests.setEditable(false);
        requests.setPrefColumnCount(28);
        setRight(requests);

        timer = new AnimationTimer() {
            @Override
            public void handle(long now) {
                frame(now);
            }
        };
        // Runs only while the view is in a window, and stops with it.
        sceneProperty().addListener((o, old, scene) -> {
            if (scene == null) timer.stop(); else timer.start();
        });
    }

    private HBox legend() {
        HBox box = new HBox(12);
        int[] colors = {OwnerColors.FREE, OwnerColors.CACHED_FREE, 0xFF4CAF50, 0xFF4CAF50};
        for (CellKind k : CellKind.values()) {
            Rectangle swatch = new Rectangle(12, 12, argb(colors[k.ordinal()]));
            if (k == CellKind.SHARED) {
                swatch.setStroke(Color.WHITE);
                swatch.setStrokeWidth(2);
            }
            legendCounts[k.ordinal()] = new Label(LEGEND_NAMES[k.ordinal()]);
            box.getChildren().add(new HBox(4, swatch, legendCounts[k.ordinal()]));
        }
        return box;
    }

    /** One frame: take the latest snapshot if new, repaint if anything changed. */
    void frame(long now) {
        boolean changed = vm.update(states.get());
        if (vm.snapshot() == null) return;
        int w = (int) canvas.getWidth();
        int h = (int) canvas.getHeight();
        if (w < 2 || h < 2) return;
        if (raster == null || raster.width() != w || raster.height() != h || raster.numBlocks() != vm.numBlocks()) {
            raster = new BlockRaster(w, h, vm.numBlocks());
            image = new WritableImage(w, h);
            changed = true;
        }
        if (!changed && !dirty) {
            if (textStale) refreshText(now);
            return;
        }
        dirty = false;
        raster.paint(vm);
        image.getPixelWriter().setPixels(0, 0, w, h, PixelFormat.getIntArgbInstance(), raster.pixels(), 0, w);
        canvas.getGraphicsContext2D().drawImage(image, 0, 0);
        refreshText(now);
    }

    private void refreshText(long now) {
        // An engine steps far faster than anyone reads: rebuilding the request table and relaying out the
        // labels on every step is wasted work, so the text follows the map at most 5 times a second.
        if (now - lastTextNanos < 200_000_000L) {
            textStale = true;
            return;
        }
        lastTextNanos = now;
        textStale = false;
        step.setText("step " + vm.stepIndex() + " · " + vm.numBlocks() + " blocks of " + vm.snapshot().blockSize() + " tokens");
        int[] counts = vm.countsByKind();
        for (CellKind k : CellKind.values()) legendCounts[k.ordinal()].setText(LEGEND_NAMES[k.ordinal()] + ": " + counts[k.ordinal()]);
        StringBuilder text = new StringBuilder("block table per request:\nlogical 0, 1, 2… -> physical ids\n(a-b: a run of consecutive ids)\n\n");
        for (Map.Entry<String, int[]> e : vm.blockTables().entrySet()) {
            text.append(e.getKey()).append(" (").append(e.getValue().length).append(" blocks): ")
                    .append(BlockRanges.format(e.getValue())).append('\n');
        }
        requests.setText(text.toString());
        // The hovered block's owners and tokens change with the steps even when the mouse rests.
        if (hoveredBlock >= 0) {
            int block = hoveredBlock;
            hoveredBlock = -1;
            showBlock(block);
        }
    }

    private void showHover(double x, double y) {
        if (raster == null) return;
        showBlock(raster.blockAt(x, y));
    }

    /** Shows what hovering {@code block} shows (-1 clears it); the mouse does this, and the screenshot tour. */
    public void showBlock(int block) {
        if (block >= vm.numBlocks()) return;
        if (block == hoveredBlock && hoveredStep == vm.stepIndex()) return;
        hoveredBlock = block;
        hoveredStep = vm.stepIndex();
        hover.setText(block < 0 ? "" : vm.blockInfo(block).describe());
    }

    private static Color argb(int c) {
        return Color.rgb(c >> 16 & 0xFF, c >> 8 & 0xFF, c & 0xFF);
    }

    /** The layout of the map as last drawn (null before the first frame), for hit tests and tests. */
    public BlockRaster raster() {
        return raster;
    }

    /** Stops the frame timer for good (window closing). */
    public void dispose() {
        timer.stop();
    }
}
