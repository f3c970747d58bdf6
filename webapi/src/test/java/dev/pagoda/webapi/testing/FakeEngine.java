package dev.pagoda.webapi.testing;

import dev.pagoda.catalog.tokenizer.IncrementalDetokenizer;
import dev.pagoda.catalog.tokenizer.Tokenizer;
import dev.pagoda.engine.api.EngineState;
import dev.pagoda.engine.api.EngineTotals;
import dev.pagoda.engine.api.GenerationRequest;
import dev.pagoda.engine.api.InferenceEngine;
import dev.pagoda.engine.api.InvalidRequestException;
import dev.pagoda.engine.api.ModelInfo;
import dev.pagoda.engine.api.RequestStream;
import dev.pagoda.engine.api.RequestTimings;
import dev.pagoda.engine.api.SampleDelta;
import dev.pagoda.engine.api.StreamEvent;
import dev.pagoda.engine.api.Usage;
import dev.pagoda.engine.api.FinishReason;
import dev.pagoda.engine.api.TokenLogprobs;
import dev.pagoda.engine.sample.SamplingParams;
import dev.pagoda.engine.api.QueueFullException;
import dev.pagoda.engine.telemetry.KvSnapshot;
import dev.pagoda.engine.telemetry.StepStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A deterministic stand-in for the real engine, keeping the {@link InferenceEngine} contract: a loop
 * thread that advances every running sample by one token per step, per-request event streams, abort on
 * {@link RequestStream#close()}, blocks held per sample and given back at the end, usage with a simple
 * prefix cache, a bounded waiting queue, and requests that fail alone.
 *
 * <p>Its "model": the logits of the next token are a hash of (previous token, candidate) scaled to
 * [-4, 4], special tokens masked, so greedy output is a fixed function of the prompt and logprobs are a
 * real log-softmax. Stop strings, stop token ids, max_tokens, logit_bias, n and seeds behave as the
 * real sampler's contract says.
 *
 * <p>{@link #script} makes it a model that writes a given text instead (the text's tokens, then EOS),
 * for what no random model ever writes: tool calls in a model family's format, reasoning blocks.
 */
public final class FakeEngine implements InferenceEngine {

    /** A prompt holding this token fails in the engine (to test per-request errors); it is the BOS id + 1. */
    public final int poisonToken;

    private final ModelInfo model;
    private final Tokenizer tokenizer;
    private final int maxRunning;
    private final int maxWaiting;
    private final long stepNanos;
    private final List<Live> waiting = new ArrayList<>();
    private final List<Live> running = new ArrayList<>();
    private final List<int[]> seenPrompts = new ArrayList<>();
    private final List<Consumer<StepStats>> listeners = new CopyOnWriteArrayList<>();
    private volatile Function<GenerationRequest, String> script;
    private final Thread loop;
    private volatile EngineState state;
    private EngineTotals totals = EngineTotals.ZERO;
    private long steps;
    private boolean paused;
    private boolean closed;

    /**
     * @param maxRunning requests run at once (more wait)
     * @param maxWaiting waiting requests before {@link QueueFullException}
     * @param step       time of one step
     */
    public FakeEngine(ModelInfo model, int maxRunning, int maxWaiting, Duration step) {
        this.model = model;
        this.tokenizer = model.tokenizer().orElseThrow();
        this.maxRunning = maxRunning;
        this.maxWaiting = maxWaiting;
        this.stepNanos = step.toNanos();
        this.poisonToken = tokenizer.bosTokenId().orElseThrow() + 1;
        this.state = new EngineState(null, snapshot(), totals);
        this.loop = Thread.ofPlatform().daemon().name("fake-engine").start(this::run);
    }

    /**
     * From now on each request's samples write {@code output.apply(request)} (tokenized by the
     * model's tokenizer) and then EOS, which ends them with {@code stop} and is not part of the text,
     * as in the real engine; max_tokens and stop strings still apply. Null goes back to the hash model.
     */
    public void script(Function<GenerationRequest, String> output) {
        this.script = output;
    }

    @Override
    public ModelInfo model() {
        return model;
    }

    @Override
    public synchronized RequestStream submit(GenerationRequest request) {
        if (closed) throw new IllegalStateException("engine closed");
        SamplingParams p = request.params().validate().validateForVocab(model.spec().vocabSize());
        int[] prompt = request.promptTokenIds();
        if (prompt.length == 0) throw new InvalidRequestException("prompt", "prompt is empty");
        if (prompt.length >= model.maxModelLen()) throw new InvalidRequestException("prompt", "prompt too long");
        for (int id : prompt) {
            if (id < 0 || id >= model.spec().vocabSize()) throw new InvalidRequestException("prompt", "bad id " + id);
        }
        if (waiting.size() >= maxWaiting) throw new QueueFullException(request.requestId(), maxWaiting);
        Function<GenerationRequest, String> output = script;
        int[] scripted = output == null ? null : tokenizer.encode(output.apply(request), false);
        Live live = new Live(request.requestId(), prompt, p, System.nanoTime(), scripted);
        waiting.add(live);
        notifyAll();
        return live.stream;
    }

    @Override
    public synchronized void abort(String requestId) {
        for (Live l : concat()) {
            if (l.id.equals(requestId)) finish(l, FinishReason.ABORT, null);
        }
        publish(List.of());
    }

    @Override
    public EngineState state() {
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

    @Override
    public synchronized void pause() {
        paused = true;
    }

    @Override
    public synchronized void step() {
        stepOnce();
    }

    @Override
    public synchronized void resume() {
        paused = false;
        notifyAll();
    }

    @Override
    public synchronized boolean isPaused() {
        return paused;
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            for (Live l : concat()) finish(l, FinishReason.ABORT, null);
            notifyAll();
        }
        loop.interrupt();
    }

    private void run() {
        try {
            while (true) {
                synchronized (this) {
                    while (!closed && (paused || (waiting.isEmpty() && running.isEmpty()))) wait();
                    if (closed) return;
                    stepOnce();
                }
                TimeUnit.NANOSECONDS.sleep(stepNanos);
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    private List<Live> concat() {
        List<Live> all = new ArrayList<>(running);
        all.addAll(waiting);
        return all;
    }

    private int heldBlocks() {
        return running.stream().mapToInt(Live::blocks).sum();
    }

    private void stepOnce() {
        long now = System.nanoTime();
        List<StepStats.ScheduledTokens> scheduled = new ArrayList<>();
        while (!waiting.isEmpty() && running.size() < maxRunning) {
            Live next = waiting.getFirst();
            int need = next.params.n() * blocksFor(next.prompt.length + 1);
            if (heldBlocks() + need > model.cache().numBlocks()) break;
            waiting.removeFirst();
            running.add(next);
            next.firstScheduled = now;
            next.cached = cachedPrefix(next.prompt);
            seenPrompts.add(next.prompt);
            totals = add(totals, next.prompt.length - next.cached, 0, next.prompt.length, next.cached);
            scheduled.add(new StepStats.ScheduledTokens(next.id, next.prompt.length - next.cached, 0));
        }
        for (Live l : List.copyOf(running)) {
            if (Arrays.stream(l.prompt).anyMatch(id -> id == poisonToken)) {
                l.error = "poisoned prompt";
                finish(l, FinishReason.ERROR, null);
                continue;
            }
            List<SampleDelta> deltas = new ArrayList<>();
            for (Sample s : l.samples) {
                if (s.finish != null) continue;
                deltas.add(s.advance(l));
            }
            if (l.firstToken < 0) l.firstToken = System.nanoTime();
            totals = add(totals, 0, deltas.size(), 0, 0);
            scheduled.add(new StepStats.ScheduledTokens(l.id, 0, deltas.size()));
            boolean done = Arrays.stream(l.samples).allMatch(s -> s.finish != null);
            if (done) {
                running.remove(l);
                l.finishedAt = System.nanoTime();
                for (Sample s : l.samples) totals = countFinish(totals, s.finish);
                l.stream.queue.add(new StreamEvent(l.id, deltas, true, l.usage(), l.timings(), null));
            } else {
                l.stream.queue.add(new StreamEvent(l.id, deltas, false, null, null, null));
            }
        }
        steps++;
        publish(scheduled);
    }

    private void publish(List<StepStats.ScheduledTokens> scheduled) {
        KvSnapshot kv = snapshot();
        totals = new EngineTotals(steps, totals.promptTokens(), totals.generationTokens(), totals.preemptions(),
                totals.prefixCacheQueries(), totals.prefixCacheHits(), totals.finishedStop(), totals.finishedLength(),
                totals.finishedAbort(), totals.finishedError());
        StepStats stats = new StepStats(steps, stepNanos, scheduled,
                new StepStats.QueueCounts(running.size(), waiting.size(), 0), kv.usage(),
                StepStats.PrefixCacheStats.NONE, 0);
        state = new EngineState(stats, kv, totals);
        for (Consumer<StepStats> l : listeners) l.accept(stats);
    }

    /** Ends a request wherever it is: its blocks go back at once, its stream gets the last event. */
    private void finish(Live l, FinishReason reason, Object stopReason) {
        if (!running.remove(l) && !waiting.remove(l)) return;
        List<SampleDelta> deltas = new ArrayList<>();
        for (Sample s : l.samples) {
            if (s.finish != null) continue;
            s.finish = reason;
            deltas.add(new SampleDelta(s.index, new int[0], "", List.of(), reason, stopReason));
            totals = countFinish(totals, reason);
        }
        l.finishedAt = System.nanoTime();
        l.stream.queue.add(new StreamEvent(l.id, deltas, true, l.usage(), l.timings(), l.error));
    }

    private static EngineTotals countFinish(EngineTotals t, FinishReason r) {
        return new EngineTotals(t.steps(), t.promptTokens(), t.generationTokens(), t.preemptions(),
                t.prefixCacheQueries(), t.prefixCacheHits(),
                t.finishedStop() + (r == FinishReason.STOP ? 1 : 0), t.finishedLength() + (r == FinishReason.LENGTH ? 1 : 0),
                t.finishedAbort() + (r == FinishReason.ABORT ? 1 : 0), t.finishedError() + (r == FinishReason.ERROR ? 1 : 0));
    }

    private static EngineTotals add(EngineTotals t, long prompt, long generated, long queries, long hits) {
        return new EngineTotals(t.steps(), t.promptTokens() + prompt, t.generationTokens() + generated,
                t.preemptions(), t.prefixCacheQueries() + queries, t.prefixCacheHits() + hits,
                t.finishedStop(), t.finishedLength(), t.finishedAbort(), t.finishedError());
    }

    /** Whole blocks shared with an earlier prompt, never the whole prompt (its last token is always computed). */
    private int cachedPrefix(int[] prompt) {
        int best = 0;
        for (int[] seen : seenPrompts) {
            int common = Arrays.mismatch(seen, prompt);
            if (common < 0) common = prompt.length;
            best = Math.max(best, common);
        }
        int bs = model.cache().blockSize();
        return Math.min(best, prompt.length - 1) / bs * bs;
    }

    private int blocksFor(int tokens) {
        int bs = model.cache().blockSize();
        return (tokens + bs - 1) / bs;
    }

    private KvSnapshot snapshot() {
        int n = model.cache().numBlocks();
        int[] refs = new int[n];
        byte[] states = new byte[n];
        int[] tokens = new int[n];
        int[] start = new int[n + 1];
        List<Integer> index = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        int b = 0;
        for (Live l : running) {
            ids.add(l.id);
            for (Sample s : l.samples) {
                int held = blocksFor(l.prompt.length + s.generated.size());
                for (int k = 0; k < held && b < n; k++, b++) {
                    refs[b] = 1;
                    states[b] = (byte) KvSnapshot.BlockState.HELD.ordinal();
                    tokens[b] = model.cache().blockSize();
                    index.add(ids.size() - 1);
                    start[b + 1] = index.size();
                }
            }
        }
        for (int k = b; k < n; k++) start[k + 1] = index.size();
        return new KvSnapshot(model.cache().blockSize(), refs, states, tokens,
                new KvSnapshot.Owners(start, index.stream().mapToInt(Integer::intValue).toArray(), ids.toArray(String[]::new)));
    }

    /** The fake model's logits after {@code previous}; special tokens can never be sampled. */
    private double[] logits(int previous, Map<Integer, Float> bias) {
        double[] logits = new double[model.spec().vocabSize()];
        for (int c = 0; c < logits.length; c++) {
            if (tokenizer.isSpecial(c)) {
                logits[c] = Double.NEGATIVE_INFINITY;
                continue;
            }
            long h = (previous * 0x9E3779B97F4A7C15L) ^ (c * 0xC2B2AE3D27D4EB4FL);
            h ^= h >>> 29;
            h *= 0xBF58476D1CE4E5B9L;
            h ^= h >>> 32;
            logits[c] = ((h >>> 11) / (double) (1L << 53)) * 8 - 4 + bias.getOrDefault(c, 0f);
        }
        return logits;
    }

    private static double[] logSoftmax(double[] logits) {
        double max = Arrays.stream(logits).max().orElseThrow();
        double sum = 0;
        for (double x : logits) sum += Math.exp(x - max);
        double log = max + Math.log(sum);
        double[] out = new double[logits.length];
        for (int i = 0; i < out.length; i++) out[i] = logits[i] - log;
        return out;
    }

    /** One request: its samples, stream and timings. */
    private final class Live {
        final String id;
        final int[] prompt;
        final SamplingParams params;
        final Sample[] samples;
        final Stream stream;
        final long arrived;
        final int[] scripted; // the text to write, or null for the hash model
        long firstScheduled = -1;
        long firstToken = -1;
        long finishedAt = -1;
        int cached;
        String error;

        Live(String id, int[] prompt, SamplingParams params, long arrived, int[] scripted) {
            this.id = id;
            this.scripted = scripted;
            this.prompt = prompt;
            this.params = params;
            this.arrived = arrived;
            this.samples = new Sample[params.n()];
            for (int i = 0; i < samples.length; i++) samples[i] = new Sample(i, params);
            this.stream = new Stream(id);
        }

        int blocks() {
            int sum = 0;
            for (Sample s : samples) sum += blocksFor(prompt.length + s.generated.size());
            return sum;
        }

        Usage usage() {
            int completion = 0;
            for (Sample s : samples) completion += s.generated.size();
            return new Usage(prompt.length, completion, cached);
        }

        RequestTimings timings() {
            return new RequestTimings(arrived, firstScheduled, firstToken, finishedAt);
        }
    }

    /** One choice: its tokens, text held back until no stop string can still begin in it. */
    private final class Sample {
        final int index;
        final List<Integer> generated = new ArrayList<>();
        final IncrementalDetokenizer detokenizer;
        final Random random;
        final StringBuilder text = new StringBuilder();
        int emitted;
        FinishReason finish;

        Sample(int index, SamplingParams p) {
            this.index = index;
            this.detokenizer = tokenizer.newDetokenizer(p.skipSpecialTokens());
            this.random = p.seed() == null ? new Random() : new Random(p.seed() * 31 + index);
        }

        SampleDelta advance(Live l) {
            SamplingParams p = l.params;
            int previous = generated.isEmpty() ? l.prompt[l.prompt.length - 1] : generated.getLast();
            double[] logprobs = logSoftmax(logits(previous, p.logitBias()));
            int token;
            if (l.scripted != null) {
                token = generated.size() < l.scripted.length ? l.scripted[generated.size()] : tokenizer.eosTokenIds().getFirst();
            } else {
                token = p.isGreedy() ? argmax(logprobs) : sample(logprobs, p.temperature());
            }
            generated.add(token);
            List<TokenLogprobs> lps = p.logprobs() == null ? List.of() : List.of(top(logprobs, token, p.logprobs()));
            Object stopReason = null;
            if (l.scripted != null && generated.size() > l.scripted.length) {
                finish = FinishReason.STOP; // EOS: ends the sample, adds no text
            } else if (p.stopTokenIds().contains(token)) {
                finish = FinishReason.STOP;
                stopReason = token;
            } else {
                text.append(detokenizer.push(token));
                for (String stop : p.stop()) {
                    int at = text.indexOf(stop);
                    if (at >= 0) {
                        text.setLength(p.includeStopStrInOutput() ? at + stop.length() : at);
                        finish = FinishReason.STOP;
                        stopReason = stop;
                        break;
                    }
                }
            }
            if (finish == null && generated.size() >= p.maxTokens()) finish = FinishReason.LENGTH;
            if (finish == null && l.prompt.length + generated.size() >= model.maxModelLen()) finish = FinishReason.LENGTH;
            if (finish == FinishReason.LENGTH || finish == FinishReason.STOP && stopReason == null) text.append(detokenizer.flush());
            int holdBack = finish != null ? 0 : p.stop().stream().mapToInt(s -> s.length() - 1).max().orElse(0);
            int upTo = Math.max(emitted, text.length() - holdBack);
            String delta = text.substring(emitted, upTo);
            emitted = upTo;
            return new SampleDelta(index, new int[] {token}, delta, lps, finish, stopReason);
        }

        private int sample(double[] logprobs, double temperature) {
            double[] w = new double[logprobs.length];
            double sum = 0;
            for (int i = 0; i < w.length; i++) sum += w[i] = Math.exp(logprobs[i] / temperature);
            double r = random.nextDouble() * sum;
            for (int i = 0; i < w.length; i++) {
                if ((r -= w[i]) <= 0 && w[i] > 0) return i;
            }
            return argmax(logprobs);
        }
    }

    private static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    private static TokenLogprobs top(double[] logprobs, int token, int k) {
        Integer[] order = new Integer[logprobs.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingDouble(i -> -logprobs[i]));
        int[] ids = new int[k];
        float[] lps = new float[k];
        for (int i = 0; i < k; i++) {
            ids[i] = order[i];
            lps[i] = (float) logprobs[order[i]];
        }
        return new TokenLogprobs((float) logprobs[token], ids, lps);
    }

    /** The events of one request; closing it before the end aborts the request. */
    private final class Stream implements RequestStream {
        final String id;
        final LinkedBlockingQueue<StreamEvent> queue = new LinkedBlockingQueue<>();
        private boolean ended;

        Stream(String id) {
            this.id = id;
        }

        @Override
        public String requestId() {
            return id;
        }

        @Override
        public StreamEvent next() throws InterruptedException {
            if (ended) return null;
            StreamEvent e = queue.take();
            ended = e.finished();
            return e;
        }

        @Override
        public StreamEvent poll(Duration timeout) throws InterruptedException {
            if (ended) return null;
            StreamEvent e = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (e != null) ended = e.finished();
            return e;
        }

        @Override
        public void close() {
            abort(id);
        }
    }
}
