package dev.pagoda.webapi.server.connection;

import io.helidon.common.socket.SocketOptions;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import java.util.Comparator;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's defence at the TCP level, what Helidon 4.5 leaves open: it puts the connection limit on
 * the listener, wraps every connection ({@link GuardedConnection}) and, from one thread, cuts those
 * that keep the server waiting past {@link ConnectionLimits}. When the limit is reached the
 * longest-idle keep-alive connection is closed to make room; when no connection is idle the
 * listener stops accepting and newcomers wait in the kernel's backlog (back-pressure) rather than
 * the process running out of file descriptors, which makes Helidon close its listening socket
 * for good. A connection serving a request is never cut for being slow to compute, only for a
 * client that does not send or does not read.
 */
public final class ConnectionGuard implements AutoCloseable {

    private static final long SCAN_MILLIS = 200;
    /** How long a connection the server ends waits for the client to stop sending (see GuardedConnection#linger). */
    private static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** At the limit, a keep-alive connection idle this long may be closed for a newcomer waiting to be accepted. */
    private static final long FULL_IDLE_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ConnectionLimits limits;
    private final Http1Config http1;
    private final ConnectionEvents events;
    private final Set<GuardedConnection> open = ConcurrentHashMap.newKeySet();
    private final LongAdder closedIdle = new LongAdder();
    private final LongAdder evicted = new LongAdder();
    private final Thread watch;
    private volatile boolean running = true;

    public ConnectionGuard(ConnectionLimits limits, Http1Config http1, ConnectionEvents events) {
        this.limits = limits;
        this.http1 = http1;
        this.events = events;
        this.watch = Thread.ofPlatform().daemon().name("pagoda-connection-guard").start(this::watch);
    }

    /**
     * Puts the guard on a listener: its only connection selector, the connection limit, the send
     * buffer of each connection, Helidon's idle timer as a backstop.
     */
    public void configure(ListenerConfig.BuilderBase<?, ?> listener) {
        ServerConnectionSelector helidonHttp1 = Http1ConnectionSelector.builder().config(http1).build();
        listener.protocolsDiscoverServices(false);
        listener.addConnectionSelector(new GuardedHttp1Selector(helidonHttp1, this, http1.maxPrologueLength()));
        listener.maxTcpConnections(limits.maxConnections());
        listener.connectionOptions(SocketOptions.builder()
                .socketSendBufferSize(limits.sendBuffer())
                .socketKeepAlive(true)
                .build());
        listener.idleConnectionTimeout(limits.keepAlive().multipliedBy(2));
        listener.idleConnectionPeriod(limits.keepAlive());
    }

    /** The routing filter that keeps each connection's state; first in the routing. */
    public Filter filter() {
        return new ConnectionPolicyFilter();
    }

    /**
     * Makes this response the last on its connection: after an error to a request with a body,
     * whatever the client still sends must never be parsed as another request. {@code bodyUnread}:
     * the client may still be sending, so the connection lingers (drops what comes) before it closes,
     * or closing would reset the connection under the response.
     */
    public static void closeAfterResponse(ServerResponse res, boolean bodyUnread) {
        // On a connection the guard did not make (a test's plain server) nothing is done: Helidon 4.5.0,
        // told Connection: close, skips the unread body and parses it as the next request.
        GuardedConnection.current().ifPresent(c -> {
            c.closeAfterResponse(res);
            if (bodyUnread) c.lingerOnClose();
        });
    }

    /** For an error Helidon answers itself, before routing (the request, its body, are left unread). */
    public static void lingerAfterError() {
        GuardedConnection.current().ifPresent(GuardedConnection::lingerOnClose);
    }

    /** Whether the connection of the request this thread serves was cut (its client is already counted as at fault). */
    public static boolean currentConnectionCut() {
        return GuardedConnection.current().map(GuardedConnection::isCut).orElse(false);
    }

    public int openConnections() {
        return open.size();
    }

    /** Connections closed after {@link ConnectionLimits#keepAlive()} without a request. */
    public long closedIdle() {
        return closedIdle.sum();
    }

    /** Idle connections closed early because the limit was reached. */
    public long evicted() {
        return evicted.sum();
    }

    GuardedConnection open(ConnectionContext ctx, ServerConnectionSelector helidonHttp1) {
        GuardedConnection connection = new GuardedConnection(this, ctx, http1.maxPrologueLength() + http1.maxHeadersSize());
        ServerConnection inner = helidonHttp1.connection(connection.context());
        connection.attach(inner);
        open.add(connection);
        if (open.size() >= limits.maxConnections()) evictLongestIdle(connection, 0);
        return connection;
    }

    void closed(GuardedConnection connection) {
        open.remove(connection);
    }

    private void watch() {
        while (running) {
            try {
                Thread.sleep(SCAN_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (GuardedConnection c : open) check(c, now);
            if (open.size() >= limits.maxConnections()) evictLongestIdle(null, FULL_IDLE_GRACE_NANOS);
        }
    }

    private void check(GuardedConnection c, long now) {
        if (c.isCut()) return;
        long writing = c.writeBlockedSince();
        if (writing != 0 && now - writing > limits.writeTimeout().toNanos()) {
            fault(c, "write_timeout", "did not read the response for " + seconds(now - writing));
            return;
        }
        if (c.readBlockedSince() == 0) return;
        long inPhase = now - c.phaseSince();
        switch (c.phase()) {
            case IDLE -> {
                if (inPhase > limits.keepAlive().toNanos()) {
                    closedIdle.increment();
                    c.cut("idle");
                }
            }
            case HEAD -> {
                if (inPhase > limits.headerTimeout().toNanos()) {
                    fault(c, "header_timeout", "sent no complete request head in " + seconds(inPhase));
                }
            }
            case BODY -> {
                if (inPhase > limits.bodyTimeout().toNanos()) {
                    fault(c, "body_timeout", "sent no complete request body in " + seconds(inPhase));
                }
            }
            case LINGER -> {
                if (inPhase > LINGER_NANOS) c.cut("linger");
            }
        }
    }

    private void fault(GuardedConnection c, String reason, String detail) {
        events.clientFault(reason, c.peer(), detail);
        c.cut(reason);
    }

    /** Closes the keep-alive connection waiting longest for a request, if one has waited {@code minIdleNanos}. */
    private void evictLongestIdle(GuardedConnection except, long minIdleNanos) {
        long now = System.nanoTime();
        open.stream()
                .filter(c -> c != except && !c.isCut() && (c.phase() == GuardedConnection.Phase.IDLE || c.phase() == GuardedConnection.Phase.LINGER)
                        && c.readBlockedSince() != 0 && now - c.phaseSince() >= minIdleNanos)
                .min(Comparator.comparingLong(GuardedConnection::phaseSince))
                .ifPresent(c -> {
                    evicted.increment();
                    c.cut("evicted");
                });
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    @Override
    public void close() {
        running = false;
        watch.interrupt();
    }
}
