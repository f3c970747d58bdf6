package dev.pagoda.webapi.server.connection;

import io.helidon.common.buffers.DataReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The bytes of one connection as Helidon's HTTP/1 parser pulls them, between it and the socket. It
 * records when a read is blocked (so {@link ConnectionGuard} can time the client out) and lets the
 * connection be cut. Helidon 4.5 refuses HTTP/1.0 with 505; here the first request line of a
 * connection saying {@code HTTP/1.0} is rewritten to {@code HTTP/1.1} (same length) and the
 * connection marked, so the response is written the way a 1.0 client reads it (see
 * {@link Http10Response}) and the connection closes after it. A 1.0 request may leave out
 * {@code Host}, which 1.1 requires; the address the client connected to is put in its place.
 */
final class GuardedReader implements Supplier<byte[]> {

    private static final byte LF = '\n';
    private static final byte[] HTTP_10 = " HTTP/1.0\r".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END_OF_HEAD = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HOST = "host:".getBytes(StandardCharsets.US_ASCII);

    private final DataReader socket;
    private final GuardedConnection connection;
    private final int maxHead;
    private volatile long blockedSince;
    private boolean firstRequestSeen;

    /**
     * @param socket  Helidon's reader of the socket (it may already hold bytes read to pick the protocol)
     * @param maxHead how far to look for the end of the first request line and head
     */
    GuardedReader(DataReader socket, GuardedConnection connection, int maxHead) {
        this.socket = socket;
        this.connection = connection;
        this.maxHead = maxHead;
    }

    /** {@link System#nanoTime()} when the read now blocked began; 0 when no read is waiting. */
    long blockedSince() {
        return blockedSince;
    }

    @Override
    public byte[] get() {
        byte[] bytes = pull();
        if (bytes == null) return null;
        if (!firstRequestSeen) {
            firstRequestSeen = true;
            bytes = firstRequest(bytes);
        }
        connection.bytesArrived();
        return bytes;
    }

    /** The next bytes of the socket as they come, for discarding; null at its end. */
    byte[] discard() {
        return pull();
    }

    /** The next bytes of the socket, null at its end. */
    private byte[] pull() {
        if (connection.isCut()) return null;
        long now = System.nanoTime();
        blockedSince = now == 0 ? 1 : now;
        try {
            socket.ensureAvailable();
            return socket.readBytes(socket.available());
        } catch (DataReader.InsufficientDataAvailableException e) {
            return null;
        } finally {
            blockedSince = 0;
        }
    }

    private byte[] firstRequest(byte[] bytes) {
        bytes = readUntil(bytes, new byte[] {LF});
        int lf = indexOf(bytes, new byte[] {LF}, 0);
        if (lf < HTTP_10.length || !regionEquals(bytes, lf - HTTP_10.length, HTTP_10)) return bytes;
        bytes[lf - 2] = '1';
        connection.markHttp10();
        bytes = readUntil(bytes, END_OF_HEAD);
        int end = indexOf(bytes, END_OF_HEAD, lf - 1);
        if (end < 0 || hasHost(bytes, lf + 1, end + 2)) return bytes;
        byte[] host = ("Host: " + connection.localAuthority() + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[bytes.length + host.length];
        System.arraycopy(bytes, 0, out, 0, lf + 1);
        System.arraycopy(host, 0, out, lf + 1, host.length);
        System.arraycopy(bytes, lf + 1, out, lf + 1 + host.length, bytes.length - lf - 1);
        return out;
    }

    /** More bytes until {@code marker} is among them, the head limit is passed, or the socket ends. */
    private byte[] readUntil(byte[] bytes, byte[] marker) {
        while (indexOf(bytes, marker, 0) < 0 && bytes.length <= maxHead) {
            byte[] more = pull();
            if (more == null) break;
            byte[] joined = Arrays.copyOf(bytes, bytes.length + more.length);
            System.arraycopy(more, 0, joined, bytes.length, more.length);
            bytes = joined;
        }
        return bytes;
    }

    /** Whether a header line in {@code [from, to)} (each ending in CRLF) is {@code Host}. */
    private static boolean hasHost(byte[] bytes, int from, int to) {
        for (int line = from; line < to; ) {
            if (line + HOST.length <= to && startsWithIgnoreCase(bytes, line, HOST)) return true;
            int lf = indexOf(bytes, new byte[] {LF}, line);
            if (lf < 0 || lf >= to) return false;
            line = lf + 1;
        }
        return false;
    }

    private static boolean startsWithIgnoreCase(byte[] bytes, int at, byte[] lowerPrefix) {
        for (int i = 0; i < lowerPrefix.length; i++) {
            int b = bytes[at + i];
            if (b >= 'A' && b <= 'Z') b += 'a' - 'A';
            if (b != lowerPrefix[i]) return false;
        }
        return true;
    }

    private static boolean regionEquals(byte[] bytes, int at, byte[] what) {
        return at >= 0 && Arrays.equals(bytes, at, at + what.length, what, 0, what.length);
    }

    private static int indexOf(byte[] bytes, byte[] what, int from) {
        for (int i = Math.max(0, from); i + what.length <= bytes.length; i++) {
            if (regionEquals(bytes, i, what)) return i;
        }
        return -1;
    }
}
