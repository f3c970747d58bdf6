package dev.pagoda.webapi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.webapi.testing.RealEngines;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** A port already taken: {@code pagoda serve} exits at once, non-zero, with one line naming the port. */
class BindFailureTest {

    @Test
    void aTakenPortFailsBeforeTheModelLoadsWithOneLine() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            CommandLine cli = PagodaCli.commandLine();
            StringWriter err = new StringWriter();
            cli.setErr(new PrintWriter(err));
            long t0 = System.nanoTime();
            // A model that is not there: if the engine were started first this would fail differently.
            int code = cli.execute("serve", "--host", "127.0.0.1", "--port", Integer.toString(port), "--model", "/no/such/model");
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertNotEquals(0, code);
            List<String> lines = err.toString().lines().toList();
            assertEquals(1, lines.size(), err.toString());
            assertTrue(lines.getFirst().contains("127.0.0.1:" + port) && lines.getFirst().contains("cannot listen"), lines.getFirst());
            assertTrue(seconds < 5, "took " + seconds + " s");
        }
    }

    /** The real process, as a supervisor or a second {@code ./pagoda} sees it: it exits, within seconds. */
    @Test
    void theProcessExitsNonZeroWithinTenSeconds() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                    PagodaCli.class.getName(), "serve", "--host", "127.0.0.1", "--port", Integer.toString(port),
                    "--model", RealEngines.fixtureFolder().toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().remove("VLLM_API_KEY");
            long t0 = System.nanoTime();
            Process p = pb.start();
            boolean exited = p.waitFor(10, TimeUnit.SECONDS);
            if (!exited) p.destroyForcibly();
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(exited, "still running after 10 s");
            assertNotEquals(0, p.exitValue());
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(err.contains("cannot listen on 127.0.0.1:" + port), err);
            assertEquals(1, err.lines().filter(l -> !l.isBlank()).count(), "one line: " + err);
            assertTrue(seconds < 10, seconds + " s");
        }
    }
}
