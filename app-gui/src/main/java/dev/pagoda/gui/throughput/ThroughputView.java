package dev.pagoda.gui.throughput;

import dev.pagoda.engine.telemetry.StepStats;
import dev.pagoda.gui.requests.RequestLog;
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
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;

/**
 * The batch tab: per step a stacked bar of prefill (blue) over decode (orange) tokens on a Canvas,
 * the queue counts after the latest step and tokens per second. Drains the {@link StepRecorder}
 * once per frame.
 */
public final class ThroughputView extends BorderPane {

    private static final Color PREFILL = Color.web("#42A5F5");
    private static final Color DECODE = Color.web("#FFA726");
    private static final Color KV = Color.web("#66BB6A");

    private final ThroughputViewModel vm;
    private final StepRecorder recorder;
    private final LongSupplier clock;
    private final Canvas canvas = new Canvas(800, 400);
    private final Canvas charts = new Canvas(800, 160);
    private final RequestLog requests;
    private long requestsVersion = -1;
    private final Label summary = new Label("no steps yet");
    private final List<Recorded> drained = new ArrayList<>();
    private final AnimationTimer timer;

    /** @param requests the request log, for TTFT */
    public ThroughputView(ThroughputViewModel vm, StepRecorder recorder, LongSupplier clock, RequestLog requests) {
        this.vm = vm;
        this.requests = requests;
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
        Pane chartHolder = new Pane(charts);
        charts.setId("batchCharts");
        chartHolder.setMinHeight(160);
        chartHolder.setPrefHeight(180);
        charts.widthProperty().bind(chartHolder.widthProperty());
        charts.heightProperty().bind(chartHolder.heightProperty());
        VBox.setVgrow(holder, Priority.ALWAYS);
        setCenter(new VBox(6, holder, new Label("sliding window: KV usage % per step · mean ITL (ms) per step · TTFT (ms) per finished request"),
                chartHolder));
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
        boolean newRequests = false;
        long v = requests.version();
        if (v != requestsVersion) {
            requestsVersion = v;
            newRequests = vm.updateRequests(requests.entries());
        }
        boolean newSteps = vm.update(drained, clock.getAsLong());
        if (!newSteps && !newRequests) return;
        draw();
        drawCharts();
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

    private void drawCharts() {
        GraphicsContext g = charts.getGraphicsContext2D();
        double w = charts.getWidth();
        double h = charts.getHeight();
        g.setFill(Color.web("#2B2B2B"));
        g.fillRect(0, 0, w, h);
        double panel = w / 3;
        line(g, "KV usage %", vm.kvUsagePoints(), 100.0, KV, 0, panel, h);
        line(g, "ITL ms", vm.itlPoints(), 0, DECODE, panel, panel, h);
        line(g, "TTFT ms", vm.ttftPoints(), 0, PREFILL, 2 * panel, panel, h);
    }

    /** One panel: the series as a polyline scaled to its maximum (or {@code fixedMax}), with its latest value. */
    private static void line(GraphicsContext g, String title, List<ThroughputViewModel.Point> points, double fixedMax,
                             Color color, double left, double width, double h) {
        double top = 18;
        double plotH = h - top - 4;
        double plotW = width - 12;
        g.setStroke(Color.web("#555555"));
        g.setLineWidth(1);
        g.strokeRect(left + 4, top, plotW, plotH);
        double max = fixedMax > 0 ? fixedMax : Math.max(1e-9, points.stream().mapToDouble(ThroughputViewModel.Point::y).max().orElse(1));
        g.setFill(Color.web("#DDDDDD"));
        String latest = points.isEmpty() ? "–" : String.format(Locale.ROOT, "%.1f", points.getLast().y());
        g.fillText(title + ": " + latest + String.format(Locale.ROOT, " (max %.1f)", fixedMax > 0 ? fixedMax : max), left + 6, 13);
        if (points.isEmpty()) return;
        g.setStroke(color);
        g.setLineWidth(1.5);
        g.beginPath();
        double step = plotW / Math.max(1, points.size() - 1);
        for (int i = 0; i < points.size(); i++) {
            double x = left + 4 + i * step;
            double y = top + plotH - Math.min(1, points.get(i).y() / max) * plotH;
            if (i == 0) g.moveTo(x, y); else g.lineTo(x, y);
        }
        g.stroke();
    }

    public void dispose() {
        timer.stop();
    }
}
