package dev.pagoda.engine.core;

import dev.pagoda.engine.api.RequestStream;
import dev.pagoda.engine.api.StreamEvent;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One request's events: the engine thread puts, one consumer takes. Unbounded, so the engine
 * never blocks on a slow client; a client that goes away closes the stream, which aborts the
 * request and stops the events.
 */
final class LocalRequestStream implements RequestStream {

    private final String requestId;
    private final Consumer<String> abort;
    private final LinkedBlockingQueue<StreamEvent> events = new LinkedBlockingQueue<>();
    private volatile boolean finished; // the final event was put
    private boolean finalTaken; // consumer side only

    LocalRequestStream(String requestId, Consumer<String> abort) {
        this.requestId = requestId;
        this.abort = abort;
    }

    @Override
    public String requestId() {
        return requestId;
    }

    /** Engine thread: queue an event; the last one carries {@code finished}. */
    void put(StreamEvent event) {
        if (finished) return;
        if (event.finished()) finished = true;
        events.add(event);
    }

    boolean isFinished() {
        return finished;
    }

    @Override
    public StreamEvent next() throws InterruptedException {
        if (finalTaken) return null;
        return taken(events.take());
    }

    @Override
    public StreamEvent poll(Duration timeout) throws InterruptedException {
        if (finalTaken) return null;
        return taken(events.poll(timeout.toNanos(), TimeUnit.NANOSECONDS));
    }

    private StreamEvent taken(StreamEvent event) {
        if (event != null && event.finished()) finalTaken = true;
        return event;
    }

    @Override
    public void close() {
        if (!finished) abort.accept(requestId);
    }
}
