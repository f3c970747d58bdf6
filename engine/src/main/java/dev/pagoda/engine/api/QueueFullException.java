package dev.pagoda.engine.api;

/** The waiting queue holds {@code maxWaitingRequests} requests already; the client should retry later (HTTP 503/429). */
public final class QueueFullException extends RuntimeException {
    public QueueFullException(String requestId, int maxWaitingRequests) {
        super("request " + requestId + " rejected: the waiting queue is full (maxWaitingRequests = "
                + maxWaitingRequests + "); retry later");
    }
}
