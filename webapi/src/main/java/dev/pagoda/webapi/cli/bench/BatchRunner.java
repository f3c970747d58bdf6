package dev.pagoda.webapi.cli.bench;

import dev.pagoda.engine.api.GenerationRequest;
import dev.pagoda.engine.api.InferenceEngine;
import dev.pagoda.engine.api.RequestStream;
import dev.pagoda.engine.api.SampleDelta;
import dev.pagoda.engine.api.StreamEvent;
import dev.pagoda.engine.sample.SamplingParams;
import dev.pagoda.engine.structured.StructuredOutput;
import dev.pagoda.engine.telemetry.StepStats;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Submits a batch of prompts at once (vLLM's offline {@code LLM.generate}) and waits until every
 * request finishes, one virtual thread draining each stream. Sampling follows vLLM's benchmark
 * scripts: temperature 1, top-p 1, {@code ignore_eos}, exactly {@code outputLen} tokens; each
 * request gets its own seed so a run repeats. With a structured-output constraint every request
 * is held to it; an output that completes its grammar then emits end tokens up to
 * {@code outputLen} (that is what {@code ignore_eos} does under a grammar), and the tokens before
 * that point are counted ({@link #constrainedTokens}).
 */
final class BatchRunner {

    private final InferenceEngine engine;
    private final StructuredOutput constraint; // null: free text
    private final java.util.Set<Integer> endTokens;
    private final java.util.concurrent.atomic.AtomicLong constrainedTokens = new java.util.concurrent.atomic.AtomicLong();
    private int batchesRun;

    BatchRunner(InferenceEngine engine) {
        this(engine, null);
    }

    BatchRunner(InferenceEngine engine, StructuredOutput constraint) {
        this.engine = engine;
        this.constraint = constraint;
        this.endTokens = new java.util.HashSet<>(engine.model().spec().eosTokenIds());
        engine.model().tokenizer().ifPresent(t -> endTokens.addAll(t.eosTokenIds()));
    }

    /** Output tokens generated while their grammar was still open, over every batch run. */
    long constrainedTokens() {
        return constrainedTokens.get();
    }

    /** One request of one token under the constraint, so the grammar is compiled (and cached) before anything is timed. */
    void warmUp(int[] prompt) throws InterruptedException {
        SamplingParams params = SamplingParams.builder().maxTokens(1).structuredOutput(constraint).build();
        RequestStream stream = engine.submit(new GenerationRequest("bench-warm-up", prompt, params));
        drain(stream, 1, false);
    }

    /**
     * @throws IllegalStateException when a request fails or finishes with a token count other than {@code outputLen}
     */
    BatchOutcome run(int[][] prompts, int outputLen, long seed) throws InterruptedException {
        int batch = batchesRun++;
        ConcurrentLinkedQueue<StepStats> steps = new ConcurrentLinkedQueue<>();
        Consumer<StepStats> listener = steps::add;
        engine.addStepListener(listener);
        try (ExecutorService drains = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<long[]>> counts = new ArrayList<>(prompts.length);
            // vLLM's LLM.generate queues every request before the first step; pausing the loop
            // comes close (a submission racing the loop's command drain may still land a step later).
            engine.pause();
            long start = System.nanoTime();
            try {
                for (int i = 0; i < prompts.length; i++) {
                    SamplingParams params = SamplingParams.builder().temperature(1.0).topP(1.0).ignoreEos(true)
                            .maxTokens(outputLen).seed(seed + i).structuredOutput(constraint).build();
                    RequestStream stream = engine.submit(new GenerationRequest("bench-" + batch + "-" + i, prompts[i], params));
                    counts.add(drains.submit(() -> drain(stream, outputLen, constraint != null)));
                }
            } finally {
                engine.resume();
            }
            long promptTokens = 0, outputTokens = 0;
            for (Future<long[]> f : counts) {
                long[] c = get(f);
                promptTokens += c[0];
                outputTokens += c[1];
            }
            long elapsed = System.nanoTime() - start;
            awaitIdleStep(steps);
            return new BatchOutcome(elapsed, promptTokens, outputTokens, new ArrayList<>(steps));
        } finally {
            engine.removeStepListener(listener);
        }
    }

    /**
     * An engine delivers a step's final tokens before it publishes the step's statistics, so the
     * last step may reach the listener after the streams ended: wait (briefly) for the step that
     * left the engine idle.
     */
    private static void awaitIdleStep(ConcurrentLinkedQueue<StepStats> steps) throws InterruptedException {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (StepStats s : steps) {
                if (s.queues().running() == 0 && s.queues().waiting() == 0) return;
            }
            Thread.sleep(1);
        }
    }

    /** @return {prompt tokens, output tokens} of the request; counts its tokens before the first end token when {@code constrained} */
    private long[] drain(RequestStream stream, int outputLen, boolean constrained) throws InterruptedException {
        try (stream) {
            long output = 0;
            long beforeEnd = -1;
            StreamEvent event;
            StreamEvent last = null;
            while ((event = stream.next()) != null) {
                for (SampleDelta d : event.deltas()) {
                    for (int t : d.tokenIds()) {
                        if (beforeEnd < 0 && endTokens.contains(t)) beforeEnd = output;
                        output++;
                    }
                }
                last = event;
            }
            if (constrained) constrainedTokens.addAndGet(beforeEnd < 0 ? output : beforeEnd);
            if (last == null || !last.finished()) {
                throw new IllegalStateException("request " + stream.requestId() + ": the stream ended without a final event");
            }
            if (last.error() != null) {
                throw new IllegalStateException("request " + stream.requestId() + " failed: " + last.error());
            }
            if (output != outputLen) {
                throw new IllegalStateException("request " + stream.requestId() + " produced " + output + " tokens, expected "
                        + outputLen + " (ignore_eos): the benchmark's token counts would be wrong");
            }
            return new long[] {last.usage().promptTokens(), output};
        }
    }

    private static long[] get(Future<long[]> f) throws InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getCause());
        }
    }
}
