package dev.pagoda.webapi.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bare TCP client for what HTTP libraries will not send: exact bytes out (HTTP/1.0, pipelined
 * requests, bodies shorter than their Content-Length), and everything back until the server closes.
 */
public final class RawHttp implements AutoCloseable {

    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] (\\d{3}) ");

    private final Socket socket;

    private RawHttp(Socket socket) {
        this.socket = socket;
    }

    public static RawHttp connect(int port) {
        try {
            Socket s = new Socket();
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            return new RawHttp(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public RawHttp send(String text) {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawHttp send(byte[] bytes) {
        try {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Socket socket() {
        return socket;
    }

    /**
     * Everything the server sends until it closes the connection (a reset counts as closing).
     *
     * @throws AssertionError when the connection is still open after {@code timeout}
     */
    public String readUntilClosed(Duration timeout) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] buffer = new byte[64 * 1024];
        try {
            InputStream in = socket.getInputStream();
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) throw stillOpen(timeout, got);
                socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
                int n;
                try {
                    n = in.read(buffer);
                } catch (SocketTimeoutException e) {
                    throw stillOpen(timeout, got);
                } catch (SocketException e) {
                    return got.toString(StandardCharsets.ISO_8859_1); // reset by the server
                }
                if (n < 0) return got.toString(StandardCharsets.ISO_8859_1);
                got.write(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static AssertionError stillOpen(Duration timeout, ByteArrayOutputStream got) {
        String text = got.toString(StandardCharsets.ISO_8859_1);
        return new AssertionError("the server kept the connection open for " + timeout + "; it sent "
                + (text.length() > 500 ? text.substring(0, 500) + "..." : text));
    }

    /** The status codes of the responses in {@code wire}, in order. */
    public static java.util.List<Integer> statuses(String wire) {
        java.util.List<Integer> out = new java.util.ArrayList<>();
        Matcher m = STATUS_LINE.matcher(wire);
        while (m.find()) out.add(Integer.parseInt(m.group(1)));
        return out;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing
        }
    }
}
