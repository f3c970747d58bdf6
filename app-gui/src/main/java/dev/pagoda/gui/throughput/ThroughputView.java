package dev.pagoda.gui.throughput;

import dev.pagoda.engine.telemetry.StepStats;
import dev.pagoda.gui.throughput.StepRecorder.Recorded;
import dev.pagoda.gui.throughput.ThroughputViewModel.Bar;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import javafx.animation.AnimationTimer;
import javafx.geometry.Insets;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Label;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.Pane;
import javafx.scene.paint.Color;

/**
 * The batch tab: per step a stacked bar of prefill (blue) over decode (orange) tokens on a Canvas,
 * the queue counts after the latest step and tokens per second. Drains the {@link StepRecorder}
 * once per frame.
 */
public final class ThroughputView extends BorderPane {

    private static final Color PREFILL = Color.web("#42A5F5");
    private static final Color DECODE = Color.web("#FFA726");

    private final ThroughputViewModel vm;
    private final StepRecorder recorder;
    private final LongSupplier clock;
    private final Canvas canvas = new Canvas(800, 400);
    private final Label summary = new Label("no steps yet");
    private final List<Recorded> drained = new ArrayList<>();
    private final AnimationTimer timer;

    public ThroughputView(ThroughputViewModel vm, StepRecorder recorder, LongSupplier clock) {
        this.vm = vm;
        this.recorder = recorder;
        this.clock = clock;
        setPadding(new Insets(8));
        summary.setId("batchSummary");
        Label legend = new Label("bars: tokens per step, prefill (blue) stacked on decode (orange)");
        setTop(new javafx.scene.layout.VBox(4, summary, legend));
        Pane holder = new Pane(canvas);
        canvas.setId("batchCanvas");
        canvas.widthProperty().bind(holder.widthProperty());
        canvas.heightProperty().bind(holder.heightProperty());
        setCenter(holder);
        timer = new AnimationTimer() {
            @Override
            public void handle(long now) {
                frame();
            }
        };
        sceneProperty().addListener((o, old, scene) -> {
            if (scene == null) timer.stop(); else timer.start();
        });
    }

    void frame() {
        drained.clear();
        recorder.drainTo(drained);
        if (!vm.update(drained, clock.getAsLong())) return;
        draw();
        StepStats s = vm.latest();
        if (s != null) {
            summary.setText(String.format(Locale.ROOT,
                    "step %d · running %d · waiting %d · preempted %d · prompt %.0f tok/s · generation %.0f tok/s · KV %.0f%%",
                    s.stepIndex(), s.queues().running(), s.queues().waiting(), s.queues().preempted(),
                    vm.prefillTokensPerSecond(), vm.decodeTokensPerSecond(), s.kvUsage() * 100));
        }
    }

    private void draw() {
        GraphicsContext g = canvas.getGraphicsContext2D();
        double w = canvas.getWidth();
        double h = canvas.getHeight();
        g.setFill(Color.web("#2B2B2B"));
        g.fillRect(0, 0, w, h);
        List<Bar> bars = vm.bars();
        if (bars.isEmpty()) return;
        double barWidth = w / Math.max(bars.size(), 60);
        double scale = (h - 4) / vm.maxTokensPerStep();
        for (int i = 0; i < bars.size(); i++) {
            Bar b = bars.get(i);
            double x = i * barWidth;
            double decode = b.decodeTokens() * scale;
            double prefill = b.prefillTokens() * scale;
            g.setFill(DECODE);
            g.fillRect(x, h - decode, Math.max(1, barWidth - 1), decode);
            g.setFill(PREFILL);
            g.fillRect(x, h - decode - prefill, Math.max(1, barWidth - 1), prefill);
        }
    }

    public void dispose() {
        timer.stop();
    }
}
