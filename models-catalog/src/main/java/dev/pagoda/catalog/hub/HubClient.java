package dev.pagoda.catalog.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The three hub requests a pull makes, with huggingface_hub's URLs and headers
 * ({@code file_download.py}, {@code hf_api.py}):
 * <ul>
 *   <li>{@code GET /api/models/ORG/NAME/revision/REV?blobs=true}: the commit REV is at and its files
 *       (size, and the SHA-256 of files kept in LFS);</li>
 *   <li>{@code HEAD /ORG/NAME/resolve/COMMIT/FILE}: {@code X-Repo-Commit}, the etag
 *       ({@code X-Linked-Etag}, else {@code ETag}: the git SHA-1 of a small file, the SHA-256 of an
 *       LFS one), the size ({@code X-Linked-Size}, else {@code Content-Length}) and where the bytes
 *       are (a {@code Location} on another host: a CDN; redirects on the hub's host — a renamed repo — are followed);</li>
 *   <li>{@code GET} of that location, from an offset with {@code Range} to resume, following redirects.</li>
 * </ul>
 * The token goes only to the endpoint itself, never to a CDN a redirect leads to (its URLs are
 * signed), as huggingface_hub drops {@code authorization} for another host.
 */
public final class HubClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_REDIRECTS = 10;

    /**
     * @param commit the full hash the revision resolved to
     * @param files  every file of the repo at that commit
     */
    public record RepoListing(String commit, List<RepoFile> files) {
        public RepoListing {
            files = List.copyOf(files);
        }
    }

    /**
     * @param path      path in the repo ({@code rfilename})
     * @param size      bytes, -1 when the listing did not say
     * @param lfsSha256 the SHA-256 of an LFS file, null for a file kept in git
     */
    public record RepoFile(String path, long size, String lfsSha256) {}

    /**
     * @param commit   {@code X-Repo-Commit}
     * @param etag     quotes and {@code W/} removed, as huggingface_hub's {@code _normalize_etag}
     * @param size     the file's bytes
     * @param location where to GET them
     */
    public record FileMetadata(String commit, String etag, long size, URI location) {}

    /** An open GET: {@code start} is the offset the body begins at (0 when the server sent everything). */
    public record Download(int status, long start, InputStream body, HttpURLConnection connection) implements AutoCloseable {
        @Override
        public void close() {
            try {
                body.close();
            } catch (IOException e) {
                // the connection is being dropped anyway
            }
            connection.disconnect();
        }
    }

    private final HubSettings settings;
    private final String userAgent;
    private final int timeoutMillis;

    /**
     * @param userAgent sent as {@code User-Agent}
     * @param timeout   connect and read timeout (huggingface_hub's HF_HUB_DOWNLOAD_TIMEOUT is 10 s)
     */
    public HubClient(HubSettings settings, String userAgent, Duration timeout) {
        this.settings = settings;
        this.userAgent = userAgent;
        this.timeoutMillis = Math.toIntExact(timeout.toMillis());
    }

    public HubSettings settings() {
        return settings;
    }

    /** The commit {@code revision} is at and its files. */
    public RepoListing listing(RepoId repo, String revision) {
        URI uri = URI.create(settings.endpoint() + "/api/models/" + repo.org() + "/" + repo.name() + "/revision/"
                + HubUrls.quote(revision, false) + "?blobs=true");
        HttpURLConnection c = open(uri, "GET", 0);
        try {
            int status = c.getResponseCode();
            if (status != 200) throw HubErrors.of(c, status, settings, repo, revision, null);
            JsonNode root;
            try (InputStream in = c.getInputStream()) {
                root = JSON.readTree(in);
            }
            String commit = root.path("sha").asText(null);
            if (commit == null || !root.path("siblings").isArray()) {
                throw new HubException(settings.endpoint() + " answered the listing of " + repo + "@" + revision
                        + " without a commit and files: is HF_ENDPOINT a Hugging Face hub?");
            }
            List<RepoFile> files = new ArrayList<>();
            for (JsonNode f : root.get("siblings")) {
                JsonNode lfs = f.path("lfs");
                files.add(new RepoFile(f.path("rfilename").asText(), f.path("size").asLong(-1),
                        lfs.isObject() ? lfs.path("sha256").asText(null) : null));
            }
            return new RepoListing(commit, files);
        } catch (IOException e) {
            throw unreachable(uri, e);
        } finally {
            c.disconnect();
        }
    }

    /** What {@code HEAD} says about {@code file} at {@code commit}. */
    public FileMetadata metadata(RepoId repo, String commit, String file) {
        URI uri = resolveUrl(repo, commit, file);
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpURLConnection c = open(uri, "HEAD", 0);
            c.setRequestProperty("Accept-Encoding", "identity"); // the real size, not a compressed one
            try {
                int status = c.getResponseCode();
                String location = c.getHeaderField("Location");
                boolean redirect = status >= 300 && status < 400 && location != null;
                if (redirect && sameHost(uri, uri.resolve(location))) { // a renamed repo: still the hub, follow
                    uri = uri.resolve(location);
                    continue;
                }
                if (status >= 400 || (status >= 300 && !redirect)) throw HubErrors.of(c, status, settings, repo, commit, file);
                String repoCommit = c.getHeaderField("X-Repo-Commit");
                String etag = normalizeEtag(Objects.requireNonNullElse(c.getHeaderField("X-Linked-Etag"), c.getHeaderField("ETag")));
                String sizeHeader = c.getHeaderField("X-Linked-Size");
                if (sizeHeader == null && !redirect) sizeHeader = c.getHeaderField("Content-Length");
                if (repoCommit == null || etag == null || sizeHeader == null) {
                    throw new HubException(file + " of " + repo + ": " + settings.endpoint() + " sent no "
                            + (repoCommit == null ? "X-Repo-Commit" : etag == null ? "ETag" : "size")
                            + " header (a proxy in the way? huggingface_hub refuses such files too)");
                }
                return new FileMetadata(repoCommit, etag, Long.parseLong(sizeHeader.strip()),
                        redirect ? uri.resolve(location) : uri);
            } catch (IOException e) {
                throw unreachable(uri, e);
            } catch (NumberFormatException e) {
                throw new HubException(file + " of " + repo + ": the hub sent a size that is no number", e);
            } finally {
                c.disconnect();
            }
        }
        throw new HubException(file + " of " + repo + ": more than " + MAX_REDIRECTS + " redirects");
    }

    /**
     * Opens a GET of {@code location} from byte {@code offset}. A server that ignores the range
     * answers 200 with everything ({@code start == 0}); the caller starts over then.
     *
     * @throws IOException when the connection fails (the caller retries and resumes)
     */
    public Download download(URI location, long offset, RepoId repo, String file) throws IOException {
        URI uri = location;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpURLConnection c = open(uri, "GET", offset);
            c.setRequestProperty("Accept-Encoding", "identity");
            int status = c.getResponseCode();
            String next = c.getHeaderField("Location");
            if (status >= 300 && status < 400 && next != null) {
                c.disconnect();
                uri = uri.resolve(next);
                continue;
            }
            if (status == 200) return new Download(status, 0, c.getInputStream(), c);
            if (status == 206) return new Download(status, rangeStart(c, uri), c.getInputStream(), c);
            if (status == 416 && offset > 0) { // asked past the end: start over rather than guess
                c.disconnect();
                return download(uri, 0, repo, file);
            }
            if (status == 429 || status >= 500) {
                c.disconnect();
                throw new IOException(status + " from " + uri.getHost());
            }
            try {
                throw HubErrors.of(c, status, settings, repo, null, file);
            } finally {
                c.disconnect();
            }
        }
        throw new HubException(file + " of " + repo + ": more than " + MAX_REDIRECTS + " redirects");
    }

    /** {@code Content-Range: bytes START-END/TOTAL} -> START. */
    private static long rangeStart(HttpURLConnection c, URI uri) throws IOException {
        String range = c.getHeaderField("Content-Range");
        if (range == null || !range.toLowerCase(Locale.ROOT).startsWith("bytes ") || range.indexOf('-') < 0) {
            throw new IOException("206 without a usable Content-Range from " + uri.getHost() + ": " + range);
        }
        return Long.parseLong(range.substring(6, range.indexOf('-')).strip());
    }

    URI resolveUrl(RepoId repo, String revision, String file) {
        return URI.create(settings.endpoint() + "/" + repo.org() + "/" + repo.name() + "/resolve/" + HubUrls.quote(revision, false)
                + "/" + HubUrls.quote(file, true));
    }

    private HttpURLConnection open(URI uri, String method, long offset) {
        try {
            HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
            c.setRequestMethod(method);
            c.setInstanceFollowRedirects(false); // redirects are followed here, to keep the token off other hosts
            c.setConnectTimeout(timeoutMillis);
            c.setReadTimeout(timeoutMillis);
            c.setRequestProperty("User-Agent", userAgent);
            if (offset > 0) c.setRequestProperty("Range", "bytes=" + offset + "-");
            if (settings.token().isPresent() && sameAuthority(uri, settings.endpoint())) {
                c.setRequestProperty("Authorization", "Bearer " + settings.token().get());
            }
            return c;
        } catch (IOException e) {
            throw unreachable(uri, e);
        }
    }

    /**
     * huggingface_hub's {@code _is_same_or_hub_host}: a HEAD follows a redirect that stays on the
     * hub's host; one to another host (a CDN, whose signed URL the metadata comes with) is not followed.
     */
    private static boolean sameHost(URI from, URI to) {
        return from.getHost() != null && from.getHost().equalsIgnoreCase(to.getHost());
    }

    private static boolean sameAuthority(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && Objects.equals(a.getRawAuthority(), b.getRawAuthority());
    }

    private HubException unreachable(URI uri, IOException e) {
        return new HubException("cannot reach " + uri.getScheme() + "://" + uri.getRawAuthority() + " (" + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); check the network or HF_ENDPOINT", e);
    }

    /** {@code W/"abc"} or {@code "abc"} -> {@code abc}. */
    static String normalizeEtag(String etag) {
        if (etag == null) return null;
        String e = etag.strip();
        if (e.startsWith("W/")) e = e.substring(2);
        if (e.startsWith("\"") && e.endsWith("\"") && e.length() >= 2) e = e.substring(1, e.length() - 1);
        return e.isEmpty() ? null : e;
    }

    /** Percent-encoding as Python's {@code urllib.parse.quote}, which huggingface_hub applies to revisions and file names. */
    static final class HubUrls {
        private HubUrls() {}

        static String quote(String text, boolean keepSlash) {
            StringBuilder out = new StringBuilder();
            for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
                int c = b & 0xFF;
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'
                        || c == '~' || (keepSlash && c == '/')) {
                    out.append((char) c);
                } else {
                    out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                            .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
                }
            }
            return out.toString();
        }
    }
}
