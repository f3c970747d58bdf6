package dev.pagoda.webapi.server.connection;

import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.spi.ServerConnection;
import java.net.Inet6Address;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * One TCP connection: Helidon's HTTP/1 connection inside, with the reader and writer that time the
 * client and the state {@link ConnectionGuard} judges it by.
 *
 * <pre>
 *   accept ─► IDLE ──first bytes──► HEAD ──headers parsed, routed──► BODY ──response sent──► IDLE ...
 *             keepAlive             headerTimeout                  bodyTimeout (reads only)
 *   last response sent: closed; after an error to a body not read: LINGER (at most 2 s) ─► closed
 *   any phase: a write the client does not drain for writeTimeout
 * </pre>
 * A blocked read is cut when its phase's time is up; time spent computing the answer is never
 * counted, since nothing reads then. After a response to {@code Connection: close}, to HTTP/1.0, or
 * to an error whose request body was not read, the connection ends: the unread bytes are never
 * parsed as further requests (Helidon 4.5.0 parses them as requests).
 */
final class GuardedConnection implements ServerConnection {

    enum Phase { IDLE, HEAD, BODY, LINGER }

    /** Bytes read and dropped at most while lingering; more is a client that will not stop. */
    private static final long MAX_LINGER_BYTES = 256L << 20;

    /** The connection whose request the current thread serves (Helidon routes on the connection's thread). */
    private static final ScopedValue<GuardedConnection> CURRENT = ScopedValue.newInstance();

    private final ConnectionGuard guard;
    private final ConnectionContext helidon;
    private final GuardedReader reader;
    private final GuardedWriter writer;
    private final DataReader parserInput;
    private ServerConnection http1;
    private volatile Phase phase = Phase.IDLE;
    private volatile long phaseSince = System.nanoTime();
    private volatile boolean http10;
    private volatile boolean closeAfterResponse;
    private volatile boolean lingerOnClose;
    private volatile String cutFor;

    GuardedConnection(ConnectionGuard guard, ConnectionContext helidon, int maxHead) {
        this.guard = guard;
        this.helidon = helidon;
        this.reader = new GuardedReader(helidon.dataReader(), this, maxHead);
        this.writer = new GuardedWriter(helidon.dataWriter(), this);
        this.parserInput = DataReader.create(reader);
    }

    static Optional<GuardedConnection> current() {
        return CURRENT.isBound() ? Optional.of(CURRENT.get()) : Optional.empty();
    }

    /** What the HTTP/1 connection is built over: Helidon's context with this connection's reader and writer. */
    ConnectionContext context() {
        return new Context();
    }

    void attach(ServerConnection http1) {
        this.http1 = http1;
    }

    @Override
    public void handle(Limit limit) throws InterruptedException {
        try {
            ScopedValue.where(CURRENT, this).call(() -> {
                http1.handle(limit);
                return null;
            });
            if (lingerOnClose && !isCut()) linger();
        } catch (CloseConnectionException e) {
            // The client went away or the connection was cut: the normal ends of a connection, nothing to log.
        } catch (RuntimeException e) {
            if (cutFor == null) throw e;
        } finally {
            guard.closed(this);
        }
    }

    /**
     * Reads and drops what the client still sends, until it closes or 2 s have passed, before the
     * socket is closed. Closing a socket with unread bytes resets the connection,
     * and a client still sending (the body after a 413, say) would lose the response it was sent;
     * nginx and Apache linger the same way. The bytes are never parsed.
     */
    private void linger() {
        enter(Phase.LINGER);
        long dropped = 0;
        try {
            for (byte[] b; dropped < MAX_LINGER_BYTES && (b = reader.discard()) != null; ) dropped += b.length;
        } catch (RuntimeException e) {
            // reset by the client, or cut when the linger time was up
        }
    }

    /** Helidon's own idle timer sees only the time between requests; {@link ConnectionGuard} does the rest. */
    @Override
    public Duration idleTime() {
        return phase == Phase.IDLE ? Duration.ofNanos(System.nanoTime() - phaseSince) : Duration.ZERO;
    }

    @Override
    public void close(boolean interrupt) {
        http1.close(interrupt);
    }

    /** Ends the connection now, whatever it is doing: the thread serving it is interrupted and the socket closed. */
    void cut(String reason) {
        cutFor = reason;
        try {
            http1.close(true);
        } finally {
            try {
                helidon.serverSocket().close();
            } catch (RuntimeException e) {
                // already closed
            }
        }
    }

    boolean isCut() {
        return cutFor != null;
    }

    Phase phase() {
        return phase;
    }

    long phaseSince() {
        return phaseSince;
    }

    long readBlockedSince() {
        return reader.blockedSince();
    }

    long writeBlockedSince() {
        return writer.blockedSince();
    }

    String peer() {
        PeerInfo p = helidon.remotePeer();
        return p.host() + ":" + p.port();
    }

    /** host:port of this end, as a Host header writes it. */
    String localAuthority() {
        PeerInfo p = helidon.localPeer();
        String host = p.address() instanceof java.net.InetSocketAddress a && a.getAddress() instanceof Inet6Address
                ? "[" + p.host() + "]" : p.host();
        return host + ":" + p.port();
    }

    void markHttp10() {
        http10 = true;
    }

    boolean isHttp10() {
        return http10;
    }

    void bytesArrived() {
        if (phase == Phase.IDLE) enter(Phase.HEAD);
    }

    void requestRouted() {
        enter(Phase.BODY);
    }

    /** This response is the connection's last: it says so, and the connection ends once it is sent. */
    void closeAfterResponse(ServerResponse res) {
        closeAfterResponse = true;
        res.header(HeaderValues.CONNECTION_CLOSE);
    }

    /** The client may still be sending (a body not read): drop what it sends for a while before closing. */
    void lingerOnClose() {
        lingerOnClose = true;
    }

    /** @param saidClose the response carried {@code Connection: close}, whoever put it there */
    void responseSent(boolean saidClose) {
        enter(Phase.IDLE);
        // Stops Helidon's loop before it reads another request (or the rest of an unread body as one).
        if (closeAfterResponse || saidClose) http1.close(false);
    }

    private void enter(Phase next) {
        phaseSince = System.nanoTime();
        phase = next;
    }

    /** Helidon's connection context with this connection's reader and writer in place of the socket's. */
    private final class Context implements ConnectionContext {
        @Override public ListenerContext listenerContext() { return helidon.listenerContext(); }
        @Override public ExecutorService executor() { return helidon.executor(); }
        @Override public DataWriter dataWriter() { return writer; }
        @Override public DataReader dataReader() { return parserInput; }
        @Override public Router router() { return helidon.router(); }
        @Override public Optional<ProxyProtocolData> proxyProtocolData() { return helidon.proxyProtocolData(); }
        @Override public HelidonSocket serverSocket() { return helidon.serverSocket(); }
        @Override public PeerInfo remotePeer() { return helidon.remotePeer(); }
        @Override public PeerInfo localPeer() { return helidon.localPeer(); }
        @Override public boolean isSecure() { return helidon.isSecure(); }
        @Override public String socketId() { return helidon.socketId(); }
        @Override public String childSocketId() { return helidon.childSocketId(); }
    }
}
