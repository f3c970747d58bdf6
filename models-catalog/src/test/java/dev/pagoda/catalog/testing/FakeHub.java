package dev.pagoda.catalog.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * A Hugging Face hub on loopback, serving repos published from folders with the hub's URLs,
 * headers and error codes (as huggingface_hub's {@code file_download.py} and
 * {@code utils/_http.py} expect them), since no real hub is reachable from tests:
 * <ul>
 *   <li>{@code GET /api/models/ORG/NAME/revision/REV}: {@code sha} and {@code siblings}
 *       ({@code rfilename}, {@code size}, {@code blobId}, {@code lfs.sha256});</li>
 *   <li>{@code HEAD|GET /ORG/NAME/resolve/REV/FILE}: a file kept in git answers 200 with its git blob
 *       SHA-1 as {@code ETag}; an LFS file (weights, tokenizer.model) answers 302 to a second server,
 *       the "CDN", named {@code localhost} (another host name, as the real CDN is another host), with {@code X-Linked-Etag} (its SHA-256) and {@code X-Linked-Size};
 *       both with {@code X-Repo-Commit};</li>
 *   <li>{@code Range: bytes=N-} answered with 206 and {@code Content-Range};</li>
 *   <li>errors: an unknown repo 401 {@code RepoNotFound}, a gated one without its token 401
 *       {@code GatedRepo}, with a valid token lacking access 403 {@code GatedRepo}, a wrong token 401,
 *       an unknown revision 404 {@code RevisionNotFound},
 *       an unknown file 404 {@code EntryNotFound}.</li>
 * </ul>
 * Faults for the tests: a connection cut at a byte offset of an LFS file (the CDN is a plain
 * socket server, one request per connection, so a cut is a real close mid-body), a file served
 * corrupted. Every request is recorded.
 */
public final class FakeHub implements AutoCloseable {

    /** One request as the server saw it. */
    public record Request(String method, String authority, String path, String range, boolean authorized) {}

    /** A published file: @param etag git blob SHA-1 or, for LFS, SHA-256 */
    public record Entry(byte[] bytes, String etag, boolean lfs, String gitBlobId) {
        public long size() {
            return bytes.length;
        }
    }

    /** A commit of a repo: its hash and files by repo path. */
    public record Commit(String sha, Map<String, Entry> files) {}

    private static final Set<String> LFS_SUFFIXES = Set.of(".safetensors", ".gguf", ".bin", ".pt", ".pth", ".model");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer hub;
    private final ServerSocket cdn;
    private final ExecutorService cdnWorkers = Executors.newFixedThreadPool(4);
    private final Map<String, Map<String, Commit>> repos = new ConcurrentHashMap<>(); // repo -> revision (branch, tag, sha) -> commit
    private final Map<String, String> tokens = new ConcurrentHashMap<>(); // gated repo -> the token that may read it
    private final Set<String> knownTokens = ConcurrentHashMap.newKeySet(); // valid accounts without access to a gated repo
    private final Map<String, byte[]> lfsBlobs = new ConcurrentHashMap<>(); // sha256 -> bytes
    private final Map<String, Cut> cuts = new ConcurrentHashMap<>(); // sha256 or git id -> fault
    private final Set<String> corrupted = ConcurrentHashMap.newKeySet();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    private record Cut(long offset, int[] timesLeft) {}

    private FakeHub() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        hub = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        hub.createContext("/", this::hub);
        hub.setExecutor(Executors.newFixedThreadPool(4));
        hub.start();
        cdn = new ServerSocket(0, 50, loopback);
        Thread acceptor = new Thread(this::acceptCdn, "fake-hub-cdn");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Serves folders as repos until killed, for trying clients by hand (huggingface_hub's
     * {@code hf_hub_download} with {@code HF_ENDPOINT} set to the printed URL, {@code pagoda pull}):
     * {@code FakeHub ORG/NAME FOLDER [ORG/NAME FOLDER ...]}.
     */
    public static void main(String[] args) throws InterruptedException {
        FakeHub hub = start();
        for (int i = 0; i + 1 < args.length; i += 2) {
            System.out.println(args[i] + " at " + hub.publish(args[i], Path.of(args[i + 1])).sha());
        }
        System.out.println(hub.endpoint());
        System.out.flush();
        Thread.currentThread().join();
    }

    public static FakeHub start() {
        try {
            return new FakeHub();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What HF_ENDPOINT is set to. */
    public URI endpoint() {
        return URI.create("http://" + authority(hub));
    }

    /** Publishes every file under {@code folder} (recursively) as a new commit of {@code repo}, now its main branch and {@code tags}. */
    public Commit publish(String repo, Path folder, String... tags) {
        Map<String, Entry> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                byte[] bytes = Files.readAllBytes(p);
                String path = folder.relativize(p).toString().replace('\\', '/');
                boolean lfs = LFS_SUFFIXES.stream().anyMatch(path::endsWith);
                String gitId = gitBlobId(bytes);
                String etag = lfs ? hex("SHA-256", bytes) : gitId;
                if (lfs) lfsBlobs.put(etag, bytes);
                files.put(path, new Entry(bytes, etag, lfs, gitId));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StringBuilder tree = new StringBuilder(repo);
        files.forEach((path, e) -> tree.append('\n').append(path).append(' ').append(e.etag()));
        Commit commit = new Commit(hex("SHA-1", tree.toString().getBytes(StandardCharsets.UTF_8)), Collections.unmodifiableMap(files));
        Map<String, Commit> revisions = repos.computeIfAbsent(repo, r -> new ConcurrentHashMap<>());
        revisions.put(commit.sha(), commit);
        revisions.put("main", commit);
        for (String tag : tags) revisions.put(tag, commit);
        return commit;
    }

    /** {@code repo} becomes gated: only {@code Authorization: Bearer token} reads it. */
    public void requireToken(String repo, String token) {
        tokens.put(repo, token);
    }

    /** {@code token} is a valid account's that has not accepted a gated repo's terms: 403 there, not 401. */
    public void knowToken(String token) {
        knownTokens.add(token);
    }

    /** The next {@code times} downloads of the LFS file with this etag that reach byte {@code offset} break off there. */
    public void cutAt(String etag, long offset, int times) {
        cuts.put(etag, new Cut(offset, new int[] {times}));
    }

    /** The file with this etag is served with one byte flipped (its headers still announce the true hash). */
    public void corrupt(String etag) {
        corrupted.add(etag);
    }

    public void clearFaults() {
        cuts.clear();
        corrupted.clear();
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public void clearRequests() {
        requests.clear();
    }

    @Override
    public void close() {
        hub.stop(0);
        ((ExecutorService) hub.getExecutor()).shutdownNow();
        try {
            cdn.close();
        } catch (IOException e) {
            // closing anyway
        }
        cdnWorkers.shutdownNow();
    }

    // --- the hub ------------------------------------------------------------------------------

    private void hub(HttpExchange x) throws IOException {
        try (x) {
            record(x);
            String path = x.getRequestURI().getRawPath();
            String[] parts = path.substring(1).split("/", -1);
            if (parts.length >= 6 && parts[0].equals("api") && parts[1].equals("models") && parts[4].equals("revision")) {
                listing(x, parts[2] + "/" + parts[3], decode(parts[5]));
            } else if (parts.length >= 5 && parts[2].equals("resolve")) {
                String file = decode(String.join("/", List.of(parts).subList(4, parts.length)));
                resolve(x, parts[0] + "/" + parts[1], decode(parts[3]), file);
            } else {
                error(x, 404, null, "Not found");
            }
        }
    }

    private void listing(HttpExchange x, String repo, String revision) throws IOException {
        Commit commit = commitOrError(x, repo, revision);
        if (commit == null) return;
        ObjectNode body = JSON.createObjectNode().put("id", repo).put("modelId", repo).put("sha", commit.sha());
        ArrayNode siblings = body.putArray("siblings");
        commit.files().forEach((file, e) -> {
            ObjectNode s = siblings.addObject().put("rfilename", file).put("size", e.size()).put("blobId", e.gitBlobId());
            if (e.lfs()) s.putObject("lfs").put("sha256", e.etag()).put("size", e.size()).put("pointerSize", 134);
        });
        byte[] json = JSON.writeValueAsBytes(body);
        x.getResponseHeaders().set("Content-Type", "application/json");
        send(x, 200, json);
    }

    private void resolve(HttpExchange x, String repo, String revision, String file) throws IOException {
        Commit commit = commitOrError(x, repo, revision);
        if (commit == null) return;
        Entry e = commit.files().get(file);
        x.getResponseHeaders().set("X-Repo-Commit", commit.sha());
        if (e == null) {
            error(x, 404, "EntryNotFound", file + " does not exist on \"" + revision + "\"");
            return;
        }
        if (e.lfs()) {
            x.getResponseHeaders().set("ETag", "\"" + e.gitBlobId() + "\""); // the pointer file's
            x.getResponseHeaders().set("X-Linked-Etag", "\"" + e.etag() + "\"");
            x.getResponseHeaders().set("X-Linked-Size", Long.toString(e.size()));
            x.getResponseHeaders().set("Location", "http://" + cdnAuthority() + "/lfs/" + e.etag() + "?X-Amz-Signature=fake");
            x.sendResponseHeaders(302, -1);
            return;
        }
        x.getResponseHeaders().set("ETag", "\"" + e.etag() + "\"");
        serveBytes(x, e.etag(), e.bytes());
    }

    /** The commit {@code revision} names, or null after answering with the hub's error. */
    private Commit commitOrError(HttpExchange x, String repo, String revision) throws IOException {
        Map<String, Commit> revisions = repos.get(repo);
        if (revisions == null) {
            error(x, 401, "RepoNotFound", "Repository not found");
            return null;
        }
        String token = tokens.get(repo);
        if (token != null) {
            String auth = x.getRequestHeaders().getFirst("Authorization");
            if (auth == null) {
                error(x, 401, "GatedRepo", "Access to model " + repo + " is restricted. You must have access to it and be authenticated.");
                return null;
            }
            if (knownTokens.contains(auth.replaceFirst("^Bearer ", ""))) {
                error(x, 403, "GatedRepo", "Access to model " + repo + " is restricted and you are not in the authorized list.");
                return null;
            }
            if (!auth.equals("Bearer " + token)) {
                error(x, 401, null, "Invalid credentials in Authorization header");
                return null;
            }
        }
        Commit commit = revisions.get(revision);
        if (commit == null) error(x, 404, "RevisionNotFound", "Invalid rev id: " + revision);
        return commit;
    }

    // --- the CDN: HTTP/1.1 by hand, one request per connection -------------------------------

    private void acceptCdn() {
        while (!cdn.isClosed()) {
            try {
                Socket socket = cdn.accept();
                cdnWorkers.execute(() -> cdnRequest(socket));
            } catch (IOException | java.util.concurrent.RejectedExecutionException e) {
                return; // closed
            }
        }
    }

    private void cdnRequest(Socket socket) {
        try (socket) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            String[] line = in.readLine().split(" ");
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (String h = in.readLine(); h != null && !h.isEmpty(); h = in.readLine()) {
                int colon = h.indexOf(':');
                headers.put(h.substring(0, colon).strip(), h.substring(colon + 1).strip());
            }
            String method = line[0], path = URI.create(line[1]).getRawPath();
            requests.add(new Request(method, headers.get("Host"), path, headers.get("Range"), headers.containsKey("Authorization")));
            OutputStream out = socket.getOutputStream();
            String etag = path.startsWith("/lfs/") ? path.substring(5) : "";
            byte[] bytes = lfsBlobs.get(etag);
            if (bytes == null) {
                out.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                return;
            }
            if (corrupted.contains(etag)) {
                bytes = bytes.clone();
                bytes[bytes.length / 2] ^= 0x01;
            }
            long start = 0;
            String range = headers.get("Range");
            StringBuilder head = new StringBuilder();
            if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
                start = Long.parseLong(range.substring(6, range.length() - 1));
                if (start >= bytes.length) {
                    out.write(("HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */" + bytes.length
                            + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    return;
                }
                head.append("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes ").append(start).append('-').append(bytes.length - 1)
                        .append('/').append(bytes.length).append("\r\n");
            } else {
                head.append("HTTP/1.1 200 OK\r\n");
            }
            head.append("Content-Length: ").append(bytes.length - start).append("\r\nAccept-Ranges: bytes\r\nConnection: close\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            if (method.equals("HEAD")) return;
            long end = bytes.length;
            Cut cut = cuts.get(etag);
            if (cut != null && cut.offset() >= start && cut.offset() < bytes.length) {
                synchronized (cut) {
                    if (cut.timesLeft()[0] > 0) {
                        cut.timesLeft()[0]--;
                        end = cut.offset(); // then the socket closes: the client sees the body end early
                    }
                }
            }
            out.write(bytes, (int) start, (int) (end - start));
            out.flush();
        } catch (IOException | RuntimeException e) {
            // a client that went away, or a cut: nothing to answer
        }
    }

    // --- shared -------------------------------------------------------------------------------

    /** A file kept in git: 200, or 206 for {@code Range: bytes=N-}. */
    private void serveBytes(HttpExchange x, String etag, byte[] bytes) throws IOException {
        if (corrupted.contains(etag)) {
            bytes = bytes.clone();
            bytes[bytes.length / 2] ^= 0x01;
        }
        long start = 0;
        String range = x.getRequestHeaders().getFirst("Range");
        if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
            start = Long.parseLong(range.substring(6, range.length() - 1));
            if (start >= bytes.length) {
                x.getResponseHeaders().set("Content-Range", "bytes */" + bytes.length);
                x.sendResponseHeaders(416, -1);
                return;
            }
            x.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + (bytes.length - 1) + "/" + bytes.length);
        }
        int status = range != null ? 206 : 200;
        x.getResponseHeaders().set("Accept-Ranges", "bytes");
        if (x.getRequestMethod().equals("HEAD")) {
            x.getResponseHeaders().set("Content-Length", Long.toString(bytes.length - start));
            x.sendResponseHeaders(status, -1);
            return;
        }
        x.sendResponseHeaders(status, bytes.length - start);
        x.getResponseBody().write(bytes, (int) start, (int) (bytes.length - start));
    }

    private static void error(HttpExchange x, int status, String code, String message) throws IOException {
        if (code != null) x.getResponseHeaders().set("X-Error-Code", code);
        x.getResponseHeaders().set("X-Error-Message", message);
        x.getResponseHeaders().set("Content-Type", "application/json");
        send(x, status, JSON.writeValueAsBytes(Map.of("error", message)));
    }

    private static void send(HttpExchange x, int status, byte[] body) throws IOException {
        if (x.getRequestMethod().equals("HEAD")) {
            x.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            x.sendResponseHeaders(status, -1);
            return;
        }
        x.sendResponseHeaders(status, body.length);
        x.getResponseBody().write(body);
    }

    private void record(HttpExchange x) {
        requests.add(new Request(x.getRequestMethod(), x.getRequestHeaders().getFirst("Host"), x.getRequestURI().getRawPath(),
                x.getRequestHeaders().getFirst("Range"), x.getRequestHeaders().containsKey("Authorization")));
    }

    private static String authority(HttpServer server) {
        return server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    /**
     * The CDN by another host name than the hub's 127.0.0.1, as the real CDN is another host:
     * clients tell a CDN redirect (not followed by HEAD, no token) from a hub one by host name.
     */
    private String cdnAuthority() {
        return "localhost:" + cdn.getLocalPort();
    }

    private static String decode(String part) {
        return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** git's blob id: SHA-1 of "blob SIZE\0" and the content. */
    public static String gitBlobId(byte[] bytes) {
        byte[] header = ("blob " + bytes.length + "\0").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[header.length + bytes.length];
        System.arraycopy(header, 0, all, 0, header.length);
        System.arraycopy(bytes, 0, all, header.length, bytes.length);
        return hex("SHA-1", all);
    }

    private static String hex(String algorithm, byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The files of the latest commit of {@code repo} on main, by path (for assertions). */
    public Map<String, Entry> files(String repo) {
        return new LinkedHashMap<>(repos.get(repo).get("main").files());
    }

    /** Requests whose path starts with {@code prefix}, in order. */
    public List<Request> requestsTo(String prefix) {
        List<Request> out = new ArrayList<>();
        for (Request r : requests) if (r.path().startsWith(prefix)) out.add(r);
        return out;
    }
}
