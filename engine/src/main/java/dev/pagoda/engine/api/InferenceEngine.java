package dev.pagoda.engine.api;

import dev.pagoda.engine.telemetry.StepStats;
import java.util.function.Consumer;

/**
 * The engine as its front ends (HTTP server, GUI, benchmarks) see it. Thread-safe: any thread may
 * submit or abort; the work itself happens on the engine's own loop thread.
 *
 * <p>Failures of a single request never stop the engine: they end that request's stream with an
 * error event and every other request carries on.
 */
public interface InferenceEngine extends AutoCloseable {

    /** What is loaded and how the cache is sized. */
    ModelInfo model();

    /**
     * Queues a request and returns its stream of events.
     *
     * @throws dev.pagoda.engine.sample.InvalidSamplingParamsException a parameter is out of range (HTTP 400)
     * @throws InvalidRequestException the prompt is empty, too long or holds unknown token ids (HTTP 400)
     * @throws dev.pagoda.engine.api.QueueFullException the waiting queue is full (HTTP 503)
     */
    RequestStream submit(GenerationRequest request);

    /** Ends a request (all its samples) wherever it is; its blocks go back. Unknown ids are ignored. */
    void abort(String requestId);

    /** Latest step statistics, KV snapshot and running totals; cheap, never blocks the engine. */
    EngineState state();

    /** Called on the engine thread after every step: must return quickly and must not throw. */
    void addStepListener(Consumer<StepStats> listener);

    void removeStepListener(Consumer<StepStats> listener);

    /** Teaching controls: stop the loop between steps, run exactly one step, carry on. */
    void pause();

    /** Runs exactly one engine iteration while paused; returns when it is done. */
    void step();

    void resume();

    boolean isPaused();

    /** Stops the loop, aborts what is left and releases the model. */
    @Override
    void close();
}
