package dev.pagoda.webapi.server.connection;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Connects to the server's own port now and then. Helidon closes its listening socket for good when
 * an accept fails (file descriptors exhausted, say) and the process would go on running deaf; a
 * refused connection here reports that, once, so the process can exit and its supervisor
 * (systemd, Kubernetes) start a new one. A connection that is slow to be accepted is the
 * connection limit's back-pressure, not a dead listener, and is not reported.
 */
public final class ListenerWatchdog implements AutoCloseable {

    private static final int CONNECT_TIMEOUT_MILLIS = 2000;

    private final InetSocketAddress target;
    private final Duration period;
    private final Consumer<String> onLost;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param host   the address the server listens on (a wildcard address is probed on loopback)
     * @param onLost told once, with a one-line reason, when the listener no longer accepts
     */
    public ListenerWatchdog(String host, int port, Duration period, Consumer<String> onLost) {
        this.target = new InetSocketAddress(probeAddress(host), port);
        this.period = period;
        this.onLost = onLost;
        this.thread = Thread.ofPlatform().daemon().name("pagoda-listener-watchdog").start(this::run);
    }

    private static InetAddress probeAddress(String host) {
        try {
            InetAddress address = InetAddress.getByName(host);
            return address.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : address;
        } catch (IOException e) {
            return InetAddress.getLoopbackAddress();
        }
    }

    private void run() {
        while (running) {
            try {
                Thread.sleep(period);
            } catch (InterruptedException e) {
                return;
            }
            try (Socket probe = new Socket()) {
                probe.connect(target, CONNECT_TIMEOUT_MILLIS);
            } catch (ConnectException e) {
                if (!running) return;
                running = false;
                onLost.accept("the HTTP listener on port " + target.getPort() + " stopped accepting connections ("
                        + e.getMessage() + ")");
                return;
            } catch (IOException e) {
                // A timeout (the backlog is full: back-pressure) or no descriptor for the probe itself: not proof.
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
