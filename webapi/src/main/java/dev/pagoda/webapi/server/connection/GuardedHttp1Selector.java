package dev.pagoda.webapi.server.connection;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.Bytes;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import java.util.Set;

/**
 * Helidon's HTTP/1.1 connection selector, each connection it makes wrapped in a
 * {@link GuardedConnection}. Being the listener's only selector matters: Helidon then hands it every
 * accepted socket at once, without first waiting for bytes to choose a protocol, so a client that
 * connects and sends nothing is already under the keep-alive timer.
 */
final class GuardedHttp1Selector implements ServerConnectionSelector {

    private final ServerConnectionSelector http1;
    private final ConnectionGuard guard;
    private final int maxPrologue;

    GuardedHttp1Selector(ServerConnectionSelector http1, ConnectionGuard guard, int maxPrologue) {
        this.http1 = http1;
        this.guard = guard;
        this.maxPrologue = maxPrologue;
    }

    @Override
    public int bytesToIdentifyConnection() {
        return 0;
    }

    /** Helidon's rule (the request line ends in {@code HTTP/1.1}) with HTTP/1.0 let in too. */
    @Override
    public Support supports(BufferData request) {
        int lf = request.indexOf(Bytes.LF_BYTE);
        if (lf == -1) return request.available() <= maxPrologue ? Support.SUPPORTED : Support.UNSUPPORTED;
        String line = request.readString(lf);
        return line.endsWith(" HTTP/1.1\r") || line.endsWith(" HTTP/1.0\r") ? Support.SUPPORTED : Support.UNSUPPORTED;
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return http1.supportedApplicationProtocols();
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        return guard.open(ctx, http1);
    }
}
