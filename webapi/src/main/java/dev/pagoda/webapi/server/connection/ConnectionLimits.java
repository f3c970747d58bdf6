package dev.pagoda.webapi.server.connection;

import java.time.Duration;

/**
 * How many TCP connections the server holds and how long each may keep it waiting. Every
 * timeout is measured while the server waits on the client (a read or a write that does not
 * complete); time the engine takes to answer never counts.
 *
 * @param maxConnections open connections at most; beyond it the listener stops accepting (the
 *                       kernel queues newcomers) after closing the longest-idle keep-alive one
 * @param keepAlive      an idle connection (no request under way) is closed after this
 * @param headerTimeout  from the first byte of a request to its last header line
 * @param bodyTimeout    from the end of the headers to the last byte of the body
 * @param writeTimeout   one write the client does not drain (a reader that stopped reading)
 * @param sendBuffer     bytes the kernel buffers for a client that reads slowly (SO_SNDBUF); without it Linux
 *                       grows each connection's buffer to 4 MiB, 4 GiB of kernel memory for 1024 slow readers
 */
public record ConnectionLimits(int maxConnections, Duration keepAlive, Duration headerTimeout, Duration bodyTimeout,
        Duration writeTimeout, int sendBuffer) {

    /**
     * nginx's choices for the body and the writes (client_body_timeout, send_timeout 60 s); a shorter
     * header timeout than nginx's 60 s since clients on a LAN send their headers in milliseconds.
     */
    public static final ConnectionLimits DEFAULTS = new ConnectionLimits(1024, Duration.ofSeconds(30),
            Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(60), 256 * 1024);

    public ConnectionLimits {
        if (maxConnections < 1) throw new IllegalArgumentException("--max-connections must be at least 1, got " + maxConnections);
        requirePositive("keep-alive timeout", keepAlive);
        requirePositive("header timeout", headerTimeout);
        requirePositive("body timeout", bodyTimeout);
        requirePositive("write timeout", writeTimeout);
        if (sendBuffer < 1024) throw new IllegalArgumentException("the send buffer must be at least 1 KiB, got " + sendBuffer);
    }

    private static void requirePositive(String what, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException("the " + what + " must be positive, got " + d);
    }

    public ConnectionLimits withMaxConnections(int n) {
        return new ConnectionLimits(n, keepAlive, headerTimeout, bodyTimeout, writeTimeout, sendBuffer);
    }

    public ConnectionLimits withKeepAlive(Duration d) {
        return new ConnectionLimits(maxConnections, d, headerTimeout, bodyTimeout, writeTimeout, sendBuffer);
    }

    /** The same timeout for the headers, the body and the writes. */
    public ConnectionLimits withClientTimeouts(Duration d) {
        return new ConnectionLimits(maxConnections, keepAlive, d, d, d, sendBuffer);
    }

    public ConnectionLimits withSendBuffer(int bytes) {
        return new ConnectionLimits(maxConnections, keepAlive, headerTimeout, bodyTimeout, writeTimeout, bytes);
    }
}
