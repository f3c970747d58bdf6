package dev.pagoda.webapi.server.connection;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.function.Consumer;

/**
 * Keeps the connection limit within the process's file descriptors. Each connection holds one; if
 * connections could use them all, an accept would fail with "too many open files" and Helidon would
 * close its listening socket for good. So the limit is lowered, with a warning, to what is free now
 * less a reserve (a tenth of the limit, at least 64) for what the engine and the JVM open later.
 */
public final class FileDescriptors {

    private FileDescriptors() {}

    public static ConnectionLimits fit(ConnectionLimits limits, Consumer<String> warn) {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (!(os instanceof UnixOperatingSystemMXBean unix)) return limits;
        long max = unix.getMaxFileDescriptorCount();
        long room = max - unix.getOpenFileDescriptorCount() - Math.max(64, max / 10);
        if (room >= limits.maxConnections()) return limits;
        int fitted = (int) Math.max(1, room);
        warn.accept("--max-connections " + limits.maxConnections() + " lowered to " + fitted + ": the process may open "
                + max + " files (ulimit -n) and has " + unix.getOpenFileDescriptorCount() + " open");
        return limits.withMaxConnections(fitted);
    }
}
