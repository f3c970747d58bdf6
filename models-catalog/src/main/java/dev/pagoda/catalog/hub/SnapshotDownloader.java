package dev.pagoda.catalog.hub;

import dev.pagoda.catalog.hub.HubClient.Download;
import dev.pagoda.catalog.hub.HubClient.FileMetadata;
import dev.pagoda.catalog.hub.HubClient.RepoFile;
import dev.pagoda.catalog.hub.HubClient.RepoListing;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code pagoda pull}: huggingface_hub's {@code snapshot_download} into its cache layout
 * ({@link HubCache}), for the files {@link FileSelection} picks. Per file:
 * <ol>
 *   <li>already linked in {@code snapshots/COMMIT/}: nothing to do; its blob present (another
 *       revision shares it): link it;</li>
 *   <li>else download into {@code blobs/ETAG.incomplete} under {@code .locks/…/ETAG.lock}, from
 *       where an earlier run stopped ({@code Range: bytes=N-}), retrying a broken connection up
 *       to {@value #MAX_RETRIES} times in a row without progress;</li>
 *   <li>check it — the SHA-256 of an LFS file, the git blob SHA-1 of a small one, both equal to
 *       their etag — then rename it to {@code blobs/ETAG} and link {@code snapshots/COMMIT/FILE}
 *       to it. A mismatch deletes the partial file (resuming it could never succeed).</li>
 * </ol>
 * {@code refs/REVISION} is written last, so a branch never names a snapshot still being filled.
 */
public final class SnapshotDownloader {

    /** Attempts in a row that may fail without a byte of progress, as huggingface_hub's http_get. */
    public static final int MAX_RETRIES = 5;

    private static final Pattern COMMIT_HASH = Pattern.compile("[0-9a-f]{40}");
    private static final int BUFFER = 1 << 20;

    private final HubClient client;
    private final HubCache cache;
    private final Duration retryPause;

    /** What a pull left in the cache. */
    public record Result(RepoId repo, String commit, Path snapshot, int files, long bytes, long downloadedBytes) {}

    /** @param retryPause wait before retrying a broken download (huggingface_hub waits 1 s) */
    public SnapshotDownloader(HubClient client, HubCache cache, Duration retryPause) {
        this.client = client;
        this.cache = cache;
        this.retryPause = retryPause;
    }

    /**
     * @param include {@code --include} globs, empty for the default selection
     * @throws HubException with a one-line message when the pull cannot finish; what was fetched
     *                      stays, and the same pull resumes from it
     */
    public Result pull(HubRef ref, List<String> include, PullListener listener) {
        if (client.settings().offline()) {
            throw new HubException("HF_HUB_OFFLINE is set: pagoda pull needs the hub (unset it to download; pagoda serve reads "
                    + "the cache without it)");
        }
        RepoId repo = ref.repo();
        String revision = ref.revisionOrDefault();
        RepoListing listing = client.listing(repo, revision);
        String commit = listing.commit();
        if (!COMMIT_HASH.matcher(commit).matches()) throw new HubException("the hub gave '" + commit + "' as the commit of " + ref);
        List<RepoFile> files = FileSelection.select(ref, listing.files(), include);
        long listed = files.stream().allMatch(f -> f.size() >= 0) ? files.stream().mapToLong(RepoFile::size).sum() : -1;
        listener.listed(commit, files.size(), listed);
        long bytes = 0, downloaded = 0;
        try {
            for (RepoFile f : files) {
                Path pointer = cache.pointerPath(repo, commit, f.path());
                if (Files.exists(pointer)) { // a link whose blob is gone does not exist: it is fetched again
                    long size = Files.size(pointer);
                    listener.cached(f.path(), size);
                    bytes += size;
                    continue;
                }
                FileMetadata meta = client.metadata(repo, commit, f.path());
                if (!meta.commit().equals(commit)) {
                    throw new HubException(f.path() + ": the hub answered for commit " + meta.commit() + " while listing " + commit);
                }
                Path blob = cache.blobPath(repo, meta.etag());
                cache.tagAsCache();
                if (Files.exists(blob)) {
                    listener.cached(f.path(), meta.size());
                } else {
                    downloaded += fetch(repo, f.path(), meta, blob, listener);
                }
                HubCache.link(blob, pointer);
                bytes += meta.size();
            }
            cache.writeRef(repo, revision, commit);
        } catch (IOException e) {
            throw new HubException("cannot write the hub cache at " + cache.root() + ": " + e.getMessage(), e);
        }
        Path snapshot = cache.repoFolder(repo).resolve("snapshots").resolve(commit);
        return new Result(repo, commit, snapshot, files.size(), bytes, downloaded);
    }

    /** Downloads one blob (resuming), checks it and moves it into place; @return bytes received over the network */
    private long fetch(RepoId repo, String file, FileMetadata meta, Path blob, PullListener listener) throws IOException {
        Path incomplete = cache.incompletePath(repo, meta.etag());
        Path lock = cache.lockPath(repo, meta.etag());
        Files.createDirectories(blob.getParent());
        Files.createDirectories(lock.getParent());
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock held = tryLock(channel)) {
            if (held == null) throw new HubException("another pull is downloading " + file + " right now (" + lock + " is locked)");
            if (Files.exists(blob)) return 0; // it finished while we waited for the lock
            if (Files.exists(incomplete) && Files.size(incomplete) > meta.size()) Files.delete(incomplete);
            long resumedFrom = Files.exists(incomplete) ? Files.size(incomplete) : 0;
            listener.started(file, meta.size(), resumedFrom);
            BlobChecksum checksum = BlobChecksum.forEtag(meta.etag(), meta.size());
            long received = transfer(repo, file, meta, incomplete, checksum, listener);
            String actual = checksum.finish();
            if (!checksum.matches(actual)) {
                Files.deleteIfExists(incomplete);
                throw new HubException("checksum mismatch for " + file + " of " + repo + ": expected " + checksum.algorithm() + " "
                        + meta.etag() + ", got " + actual + "; the download was discarded, run the pull again");
            }
            HubCache.moveAtomically(incomplete, blob);
            listener.finished(file, meta.size());
            return received;
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null; // this JVM holds it already
        }
    }

    /** Fills {@code incomplete} up to the file's size, resuming after each broken connection; @return bytes received */
    private long transfer(RepoId repo, String file, FileMetadata meta, Path incomplete, BlobChecksum checksum,
                          PullListener listener) throws IOException {
        long size = meta.size();
        long received = 0;
        int failures = 0;
        while (true) {
            long have = Files.exists(incomplete) ? Files.size(incomplete) : 0;
            checksum.catchUp(incomplete, have);
            if (have == size) return received;
            long before = have;
            try (Download d = client.download(meta.location(), have, repo, file)) {
                if (d.start() != have) {
                    if (d.start() != 0) throw new IOException("the server resumed at byte " + d.start() + ", not " + have);
                    checksum.catchUp(incomplete, 0); // it ignored the range and sends everything: start over
                    have = 0;
                }
                received += copy(d.body(), incomplete, have, size, file, checksum, listener);
            } catch (IOException e) {
                long now = Files.exists(incomplete) ? Files.size(incomplete) : 0;
                failures = now > before ? 1 : failures + 1;
                if (failures > MAX_RETRIES) {
                    throw new HubException("the download of " + file + " broke off at " + now + " of " + size + " bytes ("
                            + e.getMessage() + "); run the same pull again to resume from there", e);
                }
                listener.retrying(file, now, String.valueOf(e.getMessage()));
                pause();
            }
        }
    }

    /** Appends the body to {@code incomplete} from offset {@code have}; a short body is an IOException (resume). */
    private static long copy(InputStream body, Path incomplete, long have, long size, String file, BlobChecksum checksum,
                             PullListener listener) throws IOException {
        byte[] buffer = new byte[BUFFER];
        long done = have, got = 0;
        StandardOpenOption mode = have == 0 ? StandardOpenOption.TRUNCATE_EXISTING : StandardOpenOption.APPEND;
        try (OutputStream out = Files.newOutputStream(incomplete, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode)) {
            int n;
            while ((n = body.read(buffer)) > 0) {
                if (done + n > size) throw new HubException(file + ": the server sent more than the " + size + " bytes it announced");
                out.write(buffer, 0, n);
                checksum.update(buffer, n);
                done += n;
                got += n;
                listener.progress(file, done, size);
            }
        }
        if (done < size) throw new IOException("the connection closed after " + done + " of " + size + " bytes");
        return got;
    }

    private void pause() {
        try {
            Thread.sleep(retryPause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException("interrupted", e);
        }
    }
}
