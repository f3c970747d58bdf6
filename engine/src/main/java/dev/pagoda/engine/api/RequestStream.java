package dev.pagoda.engine.api;

import java.time.Duration;

/**
 * The events of one request, in order, for one consumer (typically an HTTP handler on a virtual
 * thread, which may block). The last event has {@link StreamEvent#finished()} set; after it
 * {@link #next()} returns null.
 */
public interface RequestStream extends AutoCloseable {

    String requestId();

    /** Blocks until the next event; null once the final event has been taken. */
    StreamEvent next() throws InterruptedException;

    /** Like {@link #next()} but gives up after {@code timeout}, returning null. */
    StreamEvent poll(Duration timeout) throws InterruptedException;

    /** Aborts the request if it has not finished (a client that went away) and frees its blocks. */
    @Override
    void close();
}
