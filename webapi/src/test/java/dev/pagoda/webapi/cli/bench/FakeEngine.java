package dev.pagoda.webapi.cli.bench;

import dev.pagoda.catalog.config.GenerationDefaults;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.engine.api.EngineState;
import dev.pagoda.engine.api.EngineTotals;
import dev.pagoda.engine.api.GenerationRequest;
import dev.pagoda.engine.api.InferenceEngine;
import dev.pagoda.engine.api.ModelInfo;
import dev.pagoda.engine.api.RequestStream;
import dev.pagoda.engine.api.RequestTimings;
import dev.pagoda.engine.api.SampleDelta;
import dev.pagoda.engine.api.StreamEvent;
import dev.pagoda.engine.api.Usage;
import dev.pagoda.engine.api.FinishReason;
import dev.pagoda.engine.telemetry.StepStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A stand-in engine with the real one's observable behaviour and none of its cost: a loop thread
 * admits up to maxNumSeqs requests per step, computes a whole prompt in the step that admits it
 * (emitting the first token), then one token per step; like the real loop it delivers a step's
 * tokens before it publishes the step's statistics. Step durations are synthetic and fixed, so
 * a benchmark's step-time arithmetic can be checked exactly. It records what it was asked and
 * what it did, which is what the tests compare the printed numbers against.
 */
final class FakeEngine implements InferenceEngine {

    /** @param failRequestIndex the n-th submitted request (0-based) ends with an error; -1 for none */
    record Setup(ModelSpec spec, int maxModelLen, int maxNumSeqs, long prefillStepNanos, long decodeStepNanos,
                 int failRequestIndex) {}

    private final class Live {
        final GenerationRequest request;
        final LinkedBlockingQueue<StreamEvent> events = new LinkedBlockingQueue<>();
        final boolean fail;
        int generated;
        boolean takenFinal;

        Live(GenerationRequest request, boolean fail) {
            this.request = request;
            this.fail = fail;
        }
    }

    private final Setup setup;
    private final LinkedBlockingQueue<Live> submitted = new LinkedBlockingQueue<>();
    private final List<Consumer<StepStats>> listeners = new CopyOnWriteArrayList<>();
    final List<GenerationRequest> requests = Collections.synchronizedList(new ArrayList<>());
    final List<StepStats> steps = Collections.synchronizedList(new ArrayList<>());
    private volatile long tokensEmitted;
    private volatile boolean closed;
    private volatile boolean paused;
    private final Thread loop;

    FakeEngine(Setup setup) {
        this.setup = setup;
        this.loop = Thread.ofPlatform().daemon().name("fake-engine").start(this::run);
    }

    long tokensEmitted() {
        return tokensEmitted;
    }

    @Override
    public ModelInfo model() {
        return new ModelInfo("fake", "fake", setup.spec(), Optional.empty(), Optional.empty(), GenerationDefaults.empty(),
                setup.maxModelLen(), new ModelInfo.CacheInfo(16, 1000, 1024, 10.0), "cpu", "F32");
    }

    @Override
    public RequestStream submit(GenerationRequest request) {
        int index;
        synchronized (requests) {
            index = requests.size();
            requests.add(request);
        }
        Live live = new Live(request, index == setup.failRequestIndex());
        submitted.add(live);
        return new RequestStream() {
            @Override
            public String requestId() {
                return request.requestId();
            }

            @Override
            public StreamEvent next() throws InterruptedException {
                if (live.takenFinal) return null;
                StreamEvent e = live.events.take();
                live.takenFinal = e.finished();
                return e;
            }

            @Override
            public StreamEvent poll(Duration timeout) throws InterruptedException {
                if (live.takenFinal) return null;
                StreamEvent e = live.events.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
                if (e != null) live.takenFinal = e.finished();
                return e;
            }

            @Override
            public void close() {}
        };
    }

    private void run() {
        List<Live> running = new ArrayList<>();
        List<Live> waiting = new ArrayList<>();
        long stepIndex = 0;
        try {
            while (!closed) {
                if (running.isEmpty() && waiting.isEmpty()) {
                    Live first = submitted.poll(10, TimeUnit.MILLISECONDS);
                    if (first == null) continue;
                    waiting.add(first);
                }
                submitted.drainTo(waiting);
                if (paused) {
                    Thread.sleep(1);
                    continue;
                }
                List<StepStats.ScheduledTokens> scheduled = new ArrayList<>();
                for (Live l : running) scheduled.add(new StepStats.ScheduledTokens(l.request.requestId(), 0, 1));
                int prefill = 0;
                while (running.size() < setup.maxNumSeqs() && !waiting.isEmpty()) {
                    Live l = waiting.removeFirst();
                    running.add(l);
                    int len = l.request.promptTokenIds().length;
                    prefill += len;
                    scheduled.add(new StepStats.ScheduledTokens(l.request.requestId(), len, 0));
                }
                for (Live l : List.copyOf(running)) {
                    if (emitOne(l)) running.remove(l);
                }
                StepStats stats = new StepStats(stepIndex++, prefill > 0 ? setup.prefillStepNanos() : setup.decodeStepNanos(),
                        scheduled, new StepStats.QueueCounts(running.size(), waiting.size() + submitted.size(), 0), 0.0,
                        StepStats.PrefixCacheStats.NONE, 0);
                steps.add(stats);
                for (Consumer<StepStats> c : listeners) c.accept(stats);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Emits the request's next token; returns true when it finished. */
    private boolean emitOne(Live l) {
        int max = l.request.params().maxTokens();
        if (l.fail) {
            l.events.add(new StreamEvent(l.request.requestId(), List.of(), true, new Usage(l.request.promptTokenIds().length, 0, 0),
                    new RequestTimings(0, 0, -1, 1), "injected failure"));
            return true;
        }
        l.generated++;
        tokensEmitted++;
        boolean done = l.generated >= max;
        SampleDelta delta = new SampleDelta(0, new int[] {l.generated % setup.spec().vocabSize()}, "", List.of(),
                done ? FinishReason.LENGTH : null, null);
        long now = System.nanoTime();
        l.events.add(new StreamEvent(l.request.requestId(), List.of(delta), done,
                done ? new Usage(l.request.promptTokenIds().length, l.generated, 0) : null,
                done ? new RequestTimings(now, now, now, now) : null, null));
        return done;
    }

    @Override
    public void abort(String requestId) {}

    @Override
    public EngineState state() {
        return new EngineState(null, null, EngineTotals.ZERO);
    }

    @Override
    public void addStepListener(Consumer<StepStats> listener) {
        listeners.add(listener);
    }

    @Override
    public void removeStepListener(Consumer<StepStats> listener) {
        listeners.remove(listener);
    }

    @Override
    public void pause() {
        paused = true;
    }

    @Override
    public void step() {
        throw new UnsupportedOperationException("benchmarks never single-step");
    }

    @Override
    public void resume() {
        paused = false;
    }

    @Override
    public boolean isPaused() {
        return paused;
    }

    @Override
    public void close() {
        closed = true;
    }
}
