package dev.pagoda.webapi.server.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The watchdog stays quiet while the port accepts, and speaks once, naming the port, when it stops. */
class ListenerWatchdogTest {

    @Test
    void aClosedListenerIsReportedOnce() throws Exception {
        List<String> reports = new CopyOnWriteArrayList<>();
        ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        int port = listener.getLocalPort();
        try (ListenerWatchdog watchdog = new ListenerWatchdog("127.0.0.1", port, Duration.ofMillis(100), reports::add)) {
            Thread.sleep(600);
            assertEquals(List.of(), reports, "a listening port is not reported");
            listener.close();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (reports.isEmpty() && System.nanoTime() < deadline) Thread.sleep(20);
            Thread.sleep(400);
            assertEquals(1, reports.size(), reports.toString());
            assertTrue(reports.getFirst().contains("port " + port), reports.getFirst());
        } finally {
            listener.close();
        }
    }

    @Test
    void aWildcardListenerIsProbedOnLoopback() throws Exception {
        List<String> reports = new CopyOnWriteArrayList<>();
        try (ServerSocket listener = new ServerSocket(0, 50);
             ListenerWatchdog watchdog = new ListenerWatchdog("0.0.0.0", listener.getLocalPort(), Duration.ofMillis(100), reports::add)) {
            Thread.sleep(500);
            assertEquals(List.of(), reports);
        }
    }
}
