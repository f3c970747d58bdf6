package dev.pagoda.webapi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pagoda.webapi.testing.Http;
import dev.pagoda.webapi.testing.RealEngines;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The failure that made Helidon close its listening socket for good: connections exhausting the
 * process's file descriptors. A real {@code pagoda serve} under {@code ulimit -n 512} gets 1,500 idle
 * connections: it lowers its connection limit to fit, keeps serving while they are open, and is
 * still listening after they go.
 */
class FileDescriptorExhaustionTest {

    private static final Pattern PORT = Pattern.compile("listening on port (\\d+)");

    @Test
    void idleConnectionsBeyondTheDescriptorLimitLeaveTheListenerOpen() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")) && System.getProperty("os.name").startsWith("Linux"),
                "needs bash and Linux for ulimit -n");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String command = "ulimit -n 512 && exec '" + java + "' --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx256m -Dai.djl.offline=true -cp '"
                + System.getProperty("java.class.path") + "' " + PagodaCli.class.getName() + " serve --host 127.0.0.1 --port 0"
                + " --model '" + RealEngines.fixtureFolder() + "' --kv-cache-memory " + RealEngines.KV_BYTES;
        Process server = new ProcessBuilder("/bin/bash", "-c", command).redirectErrorStream(true).start();
        List<Socket> idle = new ArrayList<>();
        StringBuilder log = new StringBuilder();
        try {
            int port = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> awaitPort(server, log));
            Http http = new Http(URI.create("http://127.0.0.1:" + port), null);
            assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
                for (int i = 0; i < 1500; i++) {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                    idle.add(s);
                }
                Http.Reply r = http.post("/v1/completions", "{\"prompt\":\"still serving\",\"max_tokens\":3,\"ignore_eos\":true}");
                assertEquals(200, r.status(), r.body());
            });
            for (Socket s : idle) s.close();
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertEquals(200, http.get("/health").status()));
            assertTrue(server.isAlive(), "the server exited:\n" + log);
            assertTrue(log.toString().contains("--max-connections 1024 lowered to"), log.toString());
        } finally {
            for (Socket s : idle) s.close();
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) server.destroyForcibly();
        }
    }

    /** Reads the server's output until it names its port; keeps reading it in the background into {@code log}. */
    private static int awaitPort(Process server, StringBuilder log) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            synchronized (log) {
                log.append(line).append('\n');
            }
            Matcher m = PORT.matcher(line);
            if (m.find()) {
                Thread.ofPlatform().daemon().start(() -> {
                    try {
                        for (String more; (more = out.readLine()) != null; ) {
                            synchronized (log) {
                                log.append(more).append('\n');
                            }
                        }
                    } catch (IOException e) {
                        // the server ended
                    }
                });
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("the server ended before listening:\n" + log);
    }
}
