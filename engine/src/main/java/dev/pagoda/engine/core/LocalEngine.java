package dev.pagoda.engine.core;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.hub.HubCache;
import dev.pagoda.engine.api.EngineState;
import dev.pagoda.engine.api.GenerationRequest;
import dev.pagoda.engine.api.InferenceEngine;
import dev.pagoda.engine.api.InvalidRequestException;
import dev.pagoda.engine.api.ModelInfo;
import dev.pagoda.engine.api.RequestStream;
import dev.pagoda.engine.cpu.LinearKernels;
import dev.pagoda.engine.cpu.Parallel;
import dev.pagoda.engine.load.GenerationConfigFlag;
import dev.pagoda.engine.load.LoadedModel;
import dev.pagoda.engine.load.ModelLoader;
import dev.pagoda.engine.backend.Backend;
import dev.pagoda.engine.backend.Backends;
import dev.pagoda.engine.backend.KvCapacity;
import dev.pagoda.engine.backend.cpu.LinearFactory;
import dev.pagoda.engine.runner.ModelRunner;
import dev.pagoda.engine.sample.SamplerVocab;
import dev.pagoda.engine.sched.Scheduler;
import dev.pagoda.engine.sched.SchedulerConfig;
import dev.pagoda.engine.structured.StructuredOutputCompiler;
import dev.pagoda.engine.structured.mask.TokenVocabulary;
import dev.pagoda.engine.telemetry.KvSnapshot;
import dev.pagoda.engine.telemetry.StepStats;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The in-process {@link InferenceEngine}: one platform thread runs {@link EngineCore} step after
 * step; callers only validate and enqueue. Commands (new requests, aborts) reach the loop through
 * a concurrent queue and are applied between steps, so the scheduler and KV manager have a single
 * writer. With nothing to do the thread waits on a monitor (no spinning) until a command, a
 * resume or a close arrives.
 */
public final class LocalEngine implements InferenceEngine {

    private static final System.Logger LOG = System.getLogger(LocalEngine.class.getName());

    private sealed interface Command permits Submit, Abort {}

    private record Submit(EngineCore.Submission submission) implements Command {}

    private record Abort(String requestId) implements Command {}

    private final ModelInfo info;
    private final LoadedModel model;
    private final Parallel parallel;
    private final EngineCore core;
    private final RequestValidator validator;
    private final ConcurrentLinkedQueue<Command> commands = new ConcurrentLinkedQueue<>();
    private final Map<String, LocalRequestStream> live = new ConcurrentHashMap<>();
    private final List<Consumer<StepStats>> listeners = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private final Object lock = new Object();
    private volatile EngineState state;
    // The KV snapshot copies every block's state and every request's tokens: ~40% of the engine
    // thread's host work per step at 256 requests (HostOverheadBench), time a GPU would wait.
    // So it is built when someone reads state() (the panel every frame, /metrics per scrape), when
    // the engine is paused (step-by-step teaching) and before the loop idles, never blindly per step.
    private volatile boolean kvSnapshotWanted = true;
    private KvSnapshot kvSnapshot; // engine thread
    private boolean kvStale = true; // engine thread: the cache changed since kvSnapshot was built
    private volatile int waiting; // the scheduler's waiting count after the latest step, for queue-full checks
    private final boolean asyncScheduling;

    // guarded by lock
    private boolean signalled;
    private boolean paused;
    private boolean inStep;
    private int stepRequests;
    private long stepsDone;
    private boolean closing;
    private boolean stopped;

    private LocalEngine(EngineConfig config, LoadedModel loaded, Parallel parallel, LinearFactory linears,
                        UnaryOperator<ModelRunner> runnerWrapper) {
        LoadedModel model = loaded;
        this.parallel = parallel;
        ModelSpec spec = model.spec();
        int maxModelLen = config.resolvedMaxModelLen(spec);
        List<Integer> eos = model.eosTokenIds();
        // token byte strings and compiled grammars of structured output; the vocabulary is built on first use
        StructuredOutputCompiler structured = new StructuredOutputCompiler(model.tokenizer()
                .<Supplier<TokenVocabulary>>map(t -> () -> TokenVocabulary.of(t, spec.vocabSize(), eos)).orElse(null),
                StructuredOutputCompiler.DEFAULT_CACHE_SIZE);
        SamplerVocab vocab = new SamplerVocab(spec.vocabSize(), eos, structured);
        Backend backend = Backends.open(model, config.backendConfig(maxModelLen), vocab, parallel, linears);
        model = backend.model(); // --dtype may have cast it; closing the cast closes what it was cast from
        LOG.log(System.Logger.Level.INFO, backend.description());
        KvCapacity capacity = backend.capacity();
        ModelRunner runner = runnerWrapper.apply(backend.runner());
        boolean gpu = backend.gpu();
        LOG.log(System.Logger.Level.INFO, capacity.describe());
        SchedulerConfig schedulerConfig = config.schedulerConfig(maxModelLen, capacity.numBlocks(), gpu);
        this.core = new EngineCore(new Scheduler(schedulerConfig), runner, model.tokenizer().orElse(null),
                eos.stream().mapToInt(Integer::intValue).toArray());
        this.model = model;
        this.validator = new RequestValidator(spec.vocabSize(), schedulerConfig, model.tokenizer().isPresent(), config.seed(),
                config.maxLogprobs(), structured);
        this.info = new ModelInfo(config.servedModelNames().isEmpty() ? List.of(model.name()) : config.servedModelNames(), model.source(),
                spec, model.tokenizer(), model.chatTemplates(), model.generationDefaults(), maxModelLen,
                new ModelInfo.CacheInfo(config.blockSize(), capacity.numBlocks(), capacity.bytesPerBlock(), capacity.maxConcurrency()),
                backend.device(), backend.weightDtype());
        this.asyncScheduling = config.asyncScheduling();
        this.state = core.state();
        this.thread = Thread.ofPlatform().name("pagoda-engine").daemon().unstarted(this::loop);
        thread.start();
    }

    /** Loads {@code config.model()} and starts an engine on it with the Vector-API linear kernels. */
    public static LocalEngine start(EngineConfig config) {
        return start(config, LinearKernels::create);
    }

    /** Loads {@code config.model()} and starts an engine on it with the given linear kernels. */
    public static LocalEngine start(EngineConfig config, LinearFactory linears) {
        Parallel parallel = new Parallel(config.cpuThreads());
        LoadedModel model = null;
        try {
            HubCache hub = config.downloadDir() != null ? HubCache.at(Path.of(config.downloadDir())) : HubCache.atDefaultLocation();
            model = new ModelLoader(parallel, hub).load(config.model(), config.revision(), config.loadFormat(), config::dummyDtype,
                    config.seed());
            model = GenerationConfigFlag.apply(config.generationConfig(), model);
            return new LocalEngine(config, model, parallel, linears, UnaryOperator.identity());
        } catch (RuntimeException e) {
            if (model != null) model.close();
            parallel.close();
            throw e;
        }
    }

    /**
     * Starts an engine on a model already loaded; the engine takes ownership of it and closes it.
     *
     * @param runnerWrapper wraps the CPU runner (instrumentation, fault injection in tests); identity for none
     */
    public static LocalEngine start(EngineConfig config, LoadedModel model, LinearFactory linears,
                                    UnaryOperator<ModelRunner> runnerWrapper) {
        Parallel parallel = new Parallel(config.cpuThreads());
        try {
            return new LocalEngine(config, model, parallel, linears, runnerWrapper);
        } catch (RuntimeException e) {
            model.close();
            parallel.close();
            throw e;
        }
    }

    @Override
    public ModelInfo model() {
        return info;
    }

    @Override
    public RequestStream submit(GenerationRequest request) {
        GenerationRequest accepted = validator.validate(request);
        LocalRequestStream stream = new LocalRequestStream(request.requestId(), this::abort);
        synchronized (lock) {
            if (closing) throw new IllegalStateException("the engine is closed");
            validator.checkQueue(request.requestId(), waiting + countSubmits());
            if (live.putIfAbsent(request.requestId(), stream) != null) {
                throw new InvalidRequestException("request_id",
                        "request id " + request.requestId() + " is already in use by a live request");
            }
            commands.add(new Submit(new EngineCore.Submission(accepted, stream, System.nanoTime())));
            signal();
        }
        return stream;
    }

    private int countSubmits() {
        int n = 0;
        for (Command c : commands) if (c instanceof Submit) n++;
        return n;
    }

    @Override
    public void abort(String requestId) {
        synchronized (lock) {
            if (stopped) return;
            commands.add(new Abort(requestId));
            signal();
        }
    }

    /**
     * The latest state. Its queue counts and totals are those of the last step; its KV snapshot is
     * exact whenever the engine is paused or idle, and otherwise at most one step old (building it
     * every step would cost the engine thread ~40% more host time).
     */
    @Override
    public EngineState state() {
        kvSnapshotWanted = true;
        return state;
    }

    @Override
    public void addStepListener(Consumer<StepStats> listener) {
        listeners.add(listener);
    }

    @Override
    public void removeStepListener(Consumer<StepStats> listener) {
        listeners.remove(listener);
    }

    /** Returns once the loop is between steps. */
    @Override
    public void pause() {
        synchronized (lock) {
            paused = true;
            while (inStep && !stopped) awaitQuietly();
        }
    }

    @Override
    public void step() {
        synchronized (lock) {
            if (!paused) throw new IllegalStateException("step() runs one iteration of a paused engine; call pause() first");
            long target = stepsDone + stepRequests + 1;
            stepRequests++;
            signal();
            while (stepsDone < target && !stopped) awaitQuietly();
        }
    }

    @Override
    public void resume() {
        synchronized (lock) {
            paused = false;
            signal();
        }
    }

    @Override
    public boolean isPaused() {
        synchronized (lock) {
            return paused;
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closing) return;
            closing = true;
            signal();
        }
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private void signal() {
        signalled = true;
        lock.notifyAll();
    }

    private void awaitQuietly() {
        try {
            lock.wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the engine loop", e);
        }
    }

    private void loop() {
        boolean overlap;
        try {
            while (true) {
                drainCommands();
                if (pausedWithStepInFlight()) publish(core.finishInFlight()); // a paused engine shows every step applied
                if (kvStale && aboutToIdle()) refreshState(true); // readers of an idle engine see it exactly
                synchronized (lock) {
                    if (closing) break;
                    boolean stepping = paused ? stepRequests > 0 : core.hasWork();
                    if (!stepping) {
                        if (!signalled) lock.wait();
                        signalled = false;
                        continue;
                    }
                    if (paused) stepRequests--;
                    overlap = !paused && asyncScheduling;
                    inStep = true;
                }
                try {
                    publish(core.step(overlap));
                } catch (RuntimeException e) {
                    // EngineCore already fails the requests a step error touches; whatever escapes
                    // that must not end the loop, or every other request would hang.
                    LOG.log(System.Logger.Level.ERROR, "engine step failed", e);
                } finally {
                    synchronized (lock) {
                        inStep = false;
                        stepsDone++;
                        lock.notifyAll();
                    }
                }
            }
        } catch (InterruptedException e) {
            LOG.log(System.Logger.Level.WARNING, "engine loop interrupted; stopping");
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "engine loop died", t);
        } finally {
            shutDown();
        }
    }

    private boolean pausedWithStepInFlight() {
        synchronized (lock) {
            return paused && core.hasStepInFlight();
        }
    }

    private boolean aboutToIdle() {
        synchronized (lock) {
            return paused ? stepRequests == 0 : !core.hasWork();
        }
    }

    private void drainCommands() {
        Command c;
        boolean changed = false;
        while ((c = commands.poll()) != null) {
            changed = true;
            try {
                switch (c) {
                    case Submit s -> core.add(s.submission());
                    case Abort a -> core.abort(a.requestId());
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "engine command " + c + " failed", e);
            }
        }
        if (changed) refreshState(false);
    }

    private void publish(StepStats stats) {
        boolean pausedNow;
        synchronized (lock) {
            pausedNow = paused;
        }
        refreshState(pausedNow); // a paused engine's caller of step() reads the state right after

        if (stats == null) return;
        for (Consumer<StepStats> l : listeners) {
            try {
                l.accept(stats);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "step listener " + l + " threw; ignored", e);
            }
        }
    }

    /** @param exactKv build the KV snapshot now even if nobody asked since the last one */
    private void refreshState(boolean exactKv) {
        kvStale = true;
        if (exactKv || kvSnapshotWanted || kvSnapshot == null) {
            kvSnapshotWanted = false;
            kvSnapshot = core.kvSnapshot();
            kvStale = false;
        }
        state = core.state(kvSnapshot);
        waiting = core.scheduler().numWaiting();
        live.values().removeIf(LocalRequestStream::isFinished);
    }

    private void shutDown() {
        synchronized (lock) {
            stopped = true;
            closing = true;
            lock.notifyAll();
        }
        try {
            drainCommands(); // requests queued after the last step get their final (abort) event
            core.close();
            refreshState(true);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "error while closing the engine", e);
        } finally {
            model.close();
            parallel.close();
        }
    }
}
