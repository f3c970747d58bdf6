package dev.pagoda.gui.requests;

import dev.pagoda.engine.api.EngineState;
import dev.pagoda.engine.api.GenerationRequest;
import dev.pagoda.engine.api.InferenceEngine;
import dev.pagoda.engine.api.ModelInfo;
import dev.pagoda.engine.api.RequestStream;
import dev.pagoda.engine.api.StreamEvent;
import dev.pagoda.engine.telemetry.StepStats;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The engine with every request's stream copied into a {@link RequestLog} as its consumer reads
 * it. The HTTP server and the playground see an ordinary engine; the panel's log fills without
 * any per-token call onto the FX thread.
 */
public final class ObservedEngine implements InferenceEngine {

    private final InferenceEngine engine;
    private final RequestLog log;

    public ObservedEngine(InferenceEngine engine, RequestLog log) {
        this.engine = engine;
        this.log = log;
    }

    @Override
    public RequestStream submit(GenerationRequest request) {
        RequestStream stream = engine.submit(request); // throws for a bad request: then nothing is logged
        log.submitted(stream.requestId(), request.promptTokenIds().length);
        return new LoggedStream(stream);
    }

    private final class LoggedStream implements RequestStream {
        private final RequestStream stream;

        LoggedStream(RequestStream stream) {
            this.stream = stream;
        }

        @Override
        public String requestId() {
            return stream.requestId();
        }

        @Override
        public StreamEvent next() throws InterruptedException {
            return logged(stream.next());
        }

        @Override
        public StreamEvent poll(Duration timeout) throws InterruptedException {
            return logged(stream.poll(timeout));
        }

        private StreamEvent logged(StreamEvent event) {
            if (event != null) log.event(event);
            return event;
        }

        @Override
        public void close() {
            try {
                stream.close();
            } finally {
                log.closed(stream.requestId());
            }
        }
    }

    @Override public ModelInfo model() { return engine.model(); }
    @Override public void abort(String requestId) { engine.abort(requestId); }
    @Override public EngineState state() { return engine.state(); }
    @Override public void addStepListener(Consumer<StepStats> listener) { engine.addStepListener(listener); }
    @Override public void removeStepListener(Consumer<StepStats> listener) { engine.removeStepListener(listener); }
    @Override public void pause() { engine.pause(); }
    @Override public void step() { engine.step(); }
    @Override public void resume() { engine.resume(); }
    @Override public boolean isPaused() { return engine.isPaused(); }
    @Override public void close() { engine.close(); }
}
