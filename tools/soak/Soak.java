import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The soak test of docs/security.md, run by tools/soak.sh against a running `pagoda serve`: well-behaved
 * streaming clients (chat and completions, a few not streaming) alongside hostile ones (slow readers,
 * drops mid-stream, garbage, idle connections, trickled headers, cut-off bodies, bodies smuggling
 * requests after a 413, no key). Every well-behaved request must succeed; the server's resident
 * memory is sampled throughout; at the end every engine request must be gone and every KV block free.
 * Plain JDK (java Soak.java ...), no dependencies. Exit status 0 only when all of that holds.
 *
 *   java Soak.java BASE_URL API_KEY SERVER_PID SECONDS CLIENTS
 */
public class Soak {

    record Config(URI base, String key, long pid, Duration duration, int clients) {}

    static final Map<String, LongAdder> COUNTS = new ConcurrentHashMap<>();
    static final List<String> FAILURES = java.util.Collections.synchronizedList(new ArrayList<>());
    static final AtomicBoolean RUNNING = new AtomicBoolean(true);

    public static void main(String[] args) throws Exception {
        Config c = new Config(URI.create(args[0]), args[1], Long.parseLong(args[2]), Duration.ofSeconds(Long.parseLong(args[3])),
                Integer.parseInt(args[4]));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < c.clients(); i++) {
            int id = i;
            threads.add(Thread.ofVirtual().start(() -> wellBehaved(c, http, id)));
        }
        String[] hostile = {"slow_reader", "drop_mid_stream", "garbage", "idle", "slowloris", "cut_body", "smuggle_after_413",
                "no_key", "http10_stream", "huge_headers"};
        for (String kind : hostile) {
            for (int i = 0; i < 4; i++) {
                int seed = i;
                threads.add(Thread.ofVirtual().start(() -> hostileLoop(c, kind, seed)));
            }
        }
        long start = System.nanoTime();
        List<String> rss = new ArrayList<>();
        System.out.printf("%8s %10s %12s %10s%n", "seconds", "rss_mib", "ok_requests", "failures");
        while (System.nanoTime() - start < c.duration().toNanos()) {
            Thread.sleep(Math.min(10_000, Math.max(1, (c.duration().toNanos() - (System.nanoTime() - start)) / 1_000_000)));
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            long mib = rssKib(c.pid()) / 1024;
            rss.add(seconds + ":" + mib);
            System.out.printf("%8d %10d %12d %10d%n", seconds, mib, count("ok"), FAILURES.size());
        }
        RUNNING.set(false);
        for (Thread t : threads) t.join(Duration.ofSeconds(120));
        Thread.sleep(5000);
        String metrics = get(http, c, "/metrics");
        double running = metric(metrics, "vllm:num_requests_running");
        double waiting = metric(metrics, "vllm:num_requests_waiting");
        double usage = metric(metrics, "vllm:kv_cache_usage_perc");
        System.out.println();
        System.out.println("well-behaved requests: " + count("ok") + " ok (" + count("ok_stream") + " streamed, "
                + count("ok_tokens") + " tokens), " + FAILURES.size() + " failed");
        for (String f : FAILURES.subList(0, Math.min(10, FAILURES.size()))) System.out.println("  failure: " + f);
        Map<String, Long> hostileCounts = new LinkedHashMap<>();
        for (String kind : hostile) hostileCounts.put(kind, count("hostile_" + kind));
        System.out.println("hostile attempts: " + hostileCounts);
        System.out.println("server RSS (s:MiB): " + String.join(" ", rss));
        System.out.println("at the end: running " + running + ", waiting " + waiting + ", kv_cache_usage_perc " + usage
                + ", open connections " + metric(metrics, "pagoda:http_connections"));
        System.out.println("client faults counted by the server:");
        metrics.lines().filter(l -> l.startsWith("pagoda:http_client_faults_total") || l.startsWith("pagoda:http_connections_closed"))
                .forEach(l -> System.out.println("  " + l));
        boolean pass = FAILURES.isEmpty() && running == 0 && waiting == 0 && usage == 0;
        System.out.println(pass ? "SOAK PASSED" : "SOAK FAILED");
        System.exit(pass ? 0 : 1);
    }

    static long count(String name) {
        LongAdder a = COUNTS.get(name);
        return a == null ? 0 : a.sum();
    }

    static void add(String name, long n) {
        COUNTS.computeIfAbsent(name, k -> new LongAdder()).add(n);
    }

    // ---------------------------------------------------------------- well-behaved clients

    static final Pattern DATA = Pattern.compile("^data: (.*)$", Pattern.MULTILINE);

    static void wellBehaved(Config c, HttpClient http, int id) {
        Random random = new Random(id);
        while (RUNNING.get()) {
            boolean chat = random.nextBoolean();
            boolean stream = random.nextInt(8) != 0;
            int maxTokens = 8 + random.nextInt(40);
            String prompt = "request " + random.nextInt(1_000_000) + " " + "tell me something ".repeat(1 + random.nextInt(8));
            String body = chat
                    ? "{\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}],\"max_tokens\":" + maxTokens + ",\"stream\":" + stream + "}"
                    : "{\"prompt\":\"" + prompt + "\",\"max_tokens\":" + maxTokens + ",\"stream\":" + stream + "}";
            String path = chat ? "/v1/chat/completions" : "/v1/completions";
            HttpRequest r = HttpRequest.newBuilder(c.base().resolve(path)).timeout(Duration.ofSeconds(180))
                    .header("Authorization", "Bearer " + c.key()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            try {
                HttpResponse<String> res = http.send(r, HttpResponse.BodyHandlers.ofString());
                if (res.statusCode() != 200) {
                    FAILURES.add(path + " " + res.statusCode() + " " + res.body().substring(0, Math.min(200, res.body().length())));
                    continue;
                }
                if (stream) {
                    Matcher m = DATA.matcher(res.body());
                    List<String> events = new ArrayList<>();
                    while (m.find()) events.add(m.group(1));
                    if (events.isEmpty() || !events.getLast().equals("[DONE]")) {
                        FAILURES.add(path + " stream without [DONE]: " + res.body().substring(0, Math.min(200, res.body().length())));
                        continue;
                    }
                    if (events.stream().anyMatch(e -> e.contains("\"error\""))) {
                        FAILURES.add(path + " stream carried an error: " + events);
                        continue;
                    }
                    add("ok_stream", 1);
                    add("ok_tokens", events.size() - 1);
                } else if (!res.body().contains("\"usage\"")) {
                    FAILURES.add(path + " no usage: " + res.body());
                    continue;
                }
                add("ok", 1);
            } catch (IOException e) {
                FAILURES.add(path + " " + e);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    static String get(HttpClient http, Config c, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(c.base().resolve(path)).header("Authorization", "Bearer " + c.key()).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    static double metric(String text, String name) {
        return text.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    static long rssKib(long pid) {
        try (Stream<String> lines = Files.lines(Path.of("/proc/" + pid + "/status"))) {
            return lines.filter(l -> l.startsWith("VmRSS:")).map(l -> l.replaceAll("\\D", "")).mapToLong(Long::parseLong).findFirst().orElse(-1);
        } catch (IOException e) {
            return -1;
        }
    }

    // ---------------------------------------------------------------- hostile clients

    static final long HOSTILE_PAUSE_MILLIS = 100;

    static void hostileLoop(Config c, String kind, int seed) {
        Random random = new Random(1000 + seed);
        while (RUNNING.get()) {
            try (Socket s = new Socket()) {
                if (kind.equals("slow_reader")) s.setReceiveBufferSize(2048);
                s.connect(new InetSocketAddress(c.base().getHost(), c.base().getPort()), 10_000);
                s.setSoTimeout(120_000);
                add("hostile_" + kind, 1);
                hostile(c, kind, s, random);
            } catch (IOException e) {
                // the server cut the connection: what it should do to most of these
            } catch (InterruptedException e) {
                return;
            }
            try {
                Thread.sleep(HOSTILE_PAUSE_MILLIS); // persistent, not a flood: a flood measures CPU, not robustness
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    static void hostile(Config c, String kind, Socket s, Random random) throws IOException, InterruptedException {
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        String auth = "Authorization: Bearer " + c.key() + "\r\n";
        switch (kind) {
            case "slow_reader" -> {
                out.write(post("/v1/completions", auth, "{\"prompt\":\"go on\",\"max_tokens\":400,\"n\":4,\"logprobs\":5,\"stream\":true}"));
                for (int i = 0; i < 90 && RUNNING.get() && in.read() >= 0; i++) Thread.sleep(1000);
            }
            case "drop_mid_stream" -> {
                out.write(post("/v1/chat/completions", auth,
                        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":200,\"stream\":true}"));
                byte[] some = new byte[200 + random.nextInt(2000)];
                in.readNBytes(some, 0, some.length);
                s.setSoLinger(true, 0); // a reset, as a killed client leaves it
            }
            case "garbage" -> {
                byte[] junk = new byte[1 + random.nextInt(4096)];
                random.nextBytes(junk);
                String[] shapes = {new String(junk, StandardCharsets.ISO_8859_1), "GET / HTTP/9.9\r\n\r\n", "\r\n\r\n\r\n",
                        "POST /v1/completions HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Type: application/json\r\nContent-Length: 12\r\n\r\n{\"prompt\":[[",
                        "POST /v1/completions HTTP/1.1\r\nHost: x\r\n" + auth + "Transfer-Encoding: chunked\r\n\r\nzz\r\n",
                        "GET /v1/models HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"};
                out.write(shapes[random.nextInt(shapes.length)].getBytes(StandardCharsets.ISO_8859_1));
                drain(in);
            }
            case "idle" -> {
                while (RUNNING.get() && in.read() >= 0) Thread.sleep(10); // until the server gives up on it
            }
            case "slowloris" -> {
                out.write("GET /v1/models HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                for (int i = 0; i < 1000 && RUNNING.get(); i++) {
                    out.write('X');
                    out.flush();
                    Thread.sleep(500);
                }
            }
            case "cut_body" -> out.write(("POST /v1/completions HTTP/1.1\r\nHost: x\r\n" + auth
                    + "Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"prompt\":\"cut").getBytes(StandardCharsets.US_ASCII));
            case "smuggle_after_413" -> {
                byte[] body = smuggledBody(auth);
                out.write(("POST /v1/completions HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Type: application/json\r\nConnection: close\r\n"
                        + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                try {
                    out.write(body);
                } catch (IOException e) {
                    // the server hung up after its 413: the rest of the body is never parsed
                }
                String got = new String(drain(in), StandardCharsets.ISO_8859_1);
                int responses = got.split("HTTP/1.1 ", -1).length - 1;
                if (responses > 1) FAILURES.add("smuggled requests were answered after a 413: " + responses + " responses");
            }
            case "no_key" -> {
                out.write(post("/tokenize", "", "{\"prompt\":\"" + "x".repeat(random.nextInt(100_000)) + "\"}"));
                drain(in);
            }
            case "http10_stream" -> {
                String body = "{\"prompt\":\"old client\",\"max_tokens\":16,\"stream\":true}";
                out.write(("POST /v1/completions HTTP/1.0\r\n" + auth + "Content-Type: application/json\r\nContent-Length: "
                        + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
                String got = new String(drain(in), StandardCharsets.UTF_8);
                if (!got.contains("data: [DONE]") || got.toLowerCase().contains("transfer-encoding")) {
                    FAILURES.add("HTTP/1.0 stream: " + got.substring(0, Math.min(300, got.length())));
                }
            }
            case "huge_headers" -> {
                out.write(("GET /v1/models HTTP/1.1\r\nHost: x\r\n" + auth + "X-Pad: " + "a".repeat(64 * 1024) + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                drain(in);
            }
            default -> throw new IllegalArgumentException(kind);
        }
    }

    private static volatile byte[] smuggled;

    /** 50 MB of "GET /version" requests (the body), built once. */
    static byte[] smuggledBody(String auth) {
        if (smuggled == null) {
            String inner = "GET /version HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n";
            smuggled = inner.repeat(50_000_000 / inner.length()).getBytes(StandardCharsets.US_ASCII);
        }
        return smuggled;
    }

    static byte[] post(String path, String auth, String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Type: application/json\r\nContent-Length: "
                + body.length + "\r\n\r\n";
        byte[] out = new byte[head.length() + body.length];
        System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, out, 0, head.length());
        System.arraycopy(body, 0, out, head.length(), body.length);
        return out;
    }

    static byte[] drain(InputStream in) throws IOException {
        return in.readAllBytes();
    }
}
