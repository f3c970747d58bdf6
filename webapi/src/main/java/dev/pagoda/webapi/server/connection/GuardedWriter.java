package dev.pagoda.webapi.server.connection;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;

/**
 * Helidon's writes of one connection, timed so that a client that stops reading (its receive window
 * full, the write blocked) can be cut off; for an HTTP/1.0 client the bytes go through
 * {@link Http10Response} first.
 */
final class GuardedWriter implements DataWriter {

    private final DataWriter socket;
    private final GuardedConnection connection;
    private volatile long blockedSince;
    private Http10Response http10;

    GuardedWriter(DataWriter socket, GuardedConnection connection) {
        this.socket = socket;
        this.connection = connection;
    }

    /** {@link System#nanoTime()} when the write now under way began; 0 when none is. */
    long blockedSince() {
        return blockedSince;
    }

    @Override
    public void write(BufferData... buffers) {
        timed(() -> socket.write(forClient(buffers)));
    }

    @Override
    public void write(BufferData buffer) {
        write(new BufferData[] {buffer});
    }

    @Override
    public void writeNow(BufferData... buffers) {
        timed(() -> socket.writeNow(forClient(buffers)));
    }

    @Override
    public void writeNow(BufferData buffer) {
        writeNow(new BufferData[] {buffer});
    }

    @Override
    public void flush() {
        timed(socket::flush);
    }

    @Override
    public void close() {
        socket.close();
    }

    private void timed(Runnable write) {
        long now = System.nanoTime();
        blockedSince = now == 0 ? 1 : now;
        try {
            write.run();
        } finally {
            blockedSince = 0;
        }
    }

    private BufferData[] forClient(BufferData[] buffers) {
        if (!connection.isHttp10()) return buffers;
        if (http10 == null) http10 = new Http10Response();
        BufferData[] out = new BufferData[buffers.length];
        for (int i = 0; i < buffers.length; i++) {
            byte[] bytes = new byte[buffers[i].available()];
            buffers[i].read(bytes);
            out[i] = BufferData.create(http10.rewrite(bytes));
        }
        return out;
    }
}
