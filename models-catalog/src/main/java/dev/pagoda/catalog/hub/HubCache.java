package dev.pagoda.catalog.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Hugging Face hub cache exactly as {@code huggingface_hub} lays it out (its
 * {@code file_download.py}), read by {@code pagoda serve ORG/NAME} and {@code pagoda models},
 * written by {@code pagoda pull}:
 *
 * <pre>
 * hub/                                  $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub
 *   models--ORG--NAME/
 *     refs/main                         text: the commit hash "main" resolved to (refs/pr/1 for a PR …)
 *     snapshots/COMMIT/config.json      -> ../../blobs/ETAG  (relative links; nested files link deeper)
 *     blobs/ETAG                        content-addressed: git SHA-1 of small files, SHA-256 of LFS files
 *     blobs/ETAG.incomplete             a download in progress, resumed from its length
 *   .locks/models--ORG--NAME/ETAG.lock  one writer per blob
 *   CACHEDIR.TAG                        backup tools skip the folder
 * </pre>
 */
public final class HubCache {

    static final String REPO_PREFIX = "models--";

    /** A full git commit hash, as huggingface_hub's REGEX_COMMIT_HASH. */
    private static final Pattern COMMIT_HASH = Pattern.compile("[0-9a-f]{40}");
    /** An abbreviated commit hash, matched against the snapshot folders. */
    private static final Pattern SHORT_HASH = Pattern.compile("[0-9a-f]{7,39}");
    /** A revision folder name: a git commit hash (or, written by hand, at least a plain name without separators). */
    private static final Pattern REVISION_FOLDER = Pattern.compile("[A-Za-z0-9._-]+");
    /** Blob names: etags are hex digests; nothing that could leave blobs/. */
    private static final Pattern ETAG = Pattern.compile("[0-9A-Za-z_-]{1,128}");

    private final Path root;

    private HubCache(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** The cache at {@code root} (the folder holding {@code models--*}); it may not exist yet. */
    public static HubCache at(Path root) {
        return new HubCache(root);
    }

    /** The cache huggingface_hub itself would use on this machine ({@link #defaultLocation}). */
    public static HubCache atDefaultLocation() {
        return at(defaultLocation(System.getenv(), Path.of(System.getProperty("user.home"))));
    }

    /**
     * Where huggingface_hub keeps its cache: {@code $HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else
     * {@code $XDG_CACHE_HOME/huggingface/hub}, else {@code ~/.cache/huggingface/hub}. The folder may
     * not exist.
     */
    public static Path defaultLocation(Map<String, String> env, Path home) {
        String hubCache = env.get("HF_HUB_CACHE");
        if (hubCache != null && !hubCache.isBlank()) return Path.of(hubCache);
        String hfHome = env.get("HF_HOME");
        if (hfHome != null && !hfHome.isBlank()) return Path.of(hfHome, "hub");
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "huggingface", "hub");
        return home.resolve(".cache").resolve("huggingface").resolve("hub");
    }

    public Path root() {
        return root;
    }

    public Path repoFolder(RepoId repo) {
        return root.resolve(repo.cacheFolderName());
    }

    /**
     * The snapshot folder of {@code revision} when it is in the cache: a full commit hash names its
     * folder, an abbreviated one (7+ hex digits) the one folder it starts; a branch or tag goes
     * through {@code refs/}. No revision: {@code refs/main}, else the newest snapshot (as
     * {@link #snapshot(Path)} and so {@code pagoda models} choose).
     */
    public Optional<Path> snapshot(RepoId repo, String revision) {
        Path folder = repoFolder(repo);
        Path snapshots = folder.resolve("snapshots");
        if (!Files.isDirectory(snapshots)) return Optional.empty();
        try {
            if (revision == null) return snapshot(folder);
            if (COMMIT_HASH.matcher(revision).matches()) return directory(snapshots.resolve(revision));
            Path ref = refPath(repo, revision);
            if (Files.isRegularFile(ref)) {
                String commit = Files.readString(ref).strip();
                return COMMIT_HASH.matcher(commit).matches() ? directory(snapshots.resolve(commit)) : Optional.empty();
            }
            if (SHORT_HASH.matcher(revision).matches()) return uniqueSnapshotStarting(snapshots, revision);
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the hub cache at " + folder + ": " + e.getMessage(), e);
        }
    }

    /**
     * What {@code ref} names in the cache, to load: the snapshot folder of an HF model, the file a
     * reference names, or the snapshot's one {@code .gguf} file.
     *
     * @throws IllegalArgumentException with a one-line message saying what is missing and how to get it
     */
    public Path locate(HubRef ref) {
        Optional<Path> snapshot = snapshot(ref.repo(), ref.revision());
        if (snapshot.isEmpty()) {
            String what = ref.revision() == null ? ref.repo().toString() : "revision " + ref.revision() + " of " + ref.repo();
            String pull = ref.repo() + (ref.revision() == null ? "" : "@" + ref.revision());
            throw new IllegalArgumentException(what + " is not in the Hugging Face cache (" + root
                    + ") and is no local folder or file; `pagoda pull " + pull + "` fetches it");
        }
        Path dir = snapshot.get();
        if (ref.file() != null) return fileIn(dir, ref);
        boolean config = Files.isRegularFile(dir.resolve("config.json"));
        List<Path> ggufs = ggufFiles(dir);
        // a GGUF repo may carry the original config.json too; its weights are the .gguf then
        if (config && (ggufs.isEmpty() || hasSafetensors(dir))) return dir;
        if (ggufs.size() == 1) return ggufs.getFirst();
        if (ggufs.isEmpty()) {
            throw new IllegalArgumentException(ref.repo() + " in the Hugging Face cache (" + dir + ") has neither config.json "
                    + "nor a .gguf file (an interrupted download? `pagoda pull " + ref.repo() + "` completes it)");
        }
        throw new IllegalArgumentException(ref.repo() + " holds " + ggufs.size() + " .gguf files; name one, e.g. "
                + ref.repo() + "/" + dir.relativize(ggufs.getFirst()) + " (all: "
                + String.join(", ", ggufs.stream().map(p -> dir.relativize(p).toString()).toList()) + ")");
    }

    private static Path fileIn(Path snapshot, HubRef ref) {
        Path file = snapshot.resolve(ref.file()).normalize();
        if (!file.startsWith(snapshot)) throw new IllegalArgumentException("'" + ref.file() + "' is not inside " + ref.repo());
        if (Files.isRegularFile(file)) return file;
        Path gguf = snapshot.resolve(ref.file() + ".gguf");
        if (Files.isRegularFile(gguf)) return gguf;
        throw new IllegalArgumentException(ref.file() + " is not in the cached snapshot of " + ref.repo() + " (" + snapshot
                + "); `pagoda pull " + ref.repo() + " --include '" + ref.file() + "*'` fetches it");
    }

    private static boolean hasSafetensors(Path snapshot) {
        try (Stream<Path> files = Files.list(snapshot)) {
            return files.anyMatch(p -> p.getFileName().toString().endsWith(".safetensors"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + snapshot + ": " + e.getMessage(), e);
        }
    }

    private static List<Path> ggufFiles(Path snapshot) {
        try (Stream<Path> files = Files.walk(snapshot, 3)) {
            return files.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gguf"))
                    .filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + snapshot + ": " + e.getMessage(), e);
        }
    }

    // --- the layout pagoda pull writes -------------------------------------------------------

    /** {@code blobs/ETAG}: a finished file, named by its etag. */
    public Path blobPath(RepoId repo, String etag) {
        if (!ETAG.matcher(etag).matches()) throw new IllegalArgumentException("the hub sent an unusable etag '" + etag + "'");
        return repoFolder(repo).resolve("blobs").resolve(etag);
    }

    /** {@code blobs/ETAG.incomplete}: the bytes received so far, kept across runs so a download resumes. */
    public Path incompletePath(RepoId repo, String etag) {
        return blobPath(repo, etag).resolveSibling(etag + ".incomplete");
    }

    /** {@code .locks/models--ORG--NAME/ETAG.lock}, as huggingface_hub places its locks. */
    public Path lockPath(RepoId repo, String etag) {
        return root.resolve(".locks").resolve(repo.cacheFolderName()).resolve(blobPath(repo, etag).getFileName() + ".lock");
    }

    /** {@code snapshots/COMMIT/FILE}, refusing a file name that would point outside the snapshot. */
    public Path pointerPath(RepoId repo, String commit, String file) {
        if (!COMMIT_HASH.matcher(commit).matches()) throw new IllegalArgumentException("'" + commit + "' is not a commit hash");
        Path snapshot = repoFolder(repo).resolve("snapshots").resolve(commit);
        Path pointer = snapshot.resolve(file).normalize();
        if (!pointer.startsWith(snapshot) || pointer.equals(snapshot)) {
            throw new IllegalArgumentException("the hub listed a file outside the snapshot: '" + file + "'");
        }
        return pointer;
    }

    /** The Cache Directory Tagging Standard's tag, byte for byte as huggingface_hub writes it, so backups skip the cache. */
    static final String CACHEDIR_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n"
            + "# This file is a cache directory tag created by huggingface_hub.\n"
            + "# For information about cache directory tags, see:\n"
            + "#\thttps://bford.info/cachedir/\n";

    /** Writes {@code CACHEDIR.TAG} at the root unless there is one (huggingface_hub does so before it downloads). */
    public void tagAsCache() throws IOException {
        Path tag = root.resolve("CACHEDIR.TAG");
        if (Files.exists(tag)) return;
        Files.createDirectories(root);
        Files.writeString(tag, CACHEDIR_TAG);
    }

    /** {@code refs/REVISION} (a branch or tag; a commit needs no ref). */
    public Path refPath(RepoId repo, String revision) {
        Path refs = repoFolder(repo).resolve("refs");
        Path ref = refs.resolve(revision).normalize();
        if (!ref.startsWith(refs) || ref.equals(refs)) throw new IllegalArgumentException("'" + revision + "' is not a revision");
        return ref;
    }

    /**
     * Records that {@code revision} resolved to {@code commit}, written atomically (readers never
     * see half a hash), without a newline, as huggingface_hub writes it. A commit names itself.
     */
    public void writeRef(RepoId repo, String revision, String commit) throws IOException {
        if (revision.equals(commit)) return;
        Path ref = refPath(repo, revision);
        if (Files.isRegularFile(ref) && Files.readString(ref).equals(commit)) return;
        Files.createDirectories(ref.getParent());
        Path tmp = Files.createTempFile(ref.getParent(), ref.getFileName() + ".", ".tmp");
        try {
            Files.writeString(tmp, commit);
            moveAtomically(tmp, ref);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Makes {@code pointer} a relative link to {@code blob} ({@code ../../blobs/ETAG}, deeper for
     * nested files), as huggingface_hub does so the cache survives being moved; where the file
     * system has no links, a copy.
     */
    public static void link(Path blob, Path pointer) throws IOException {
        Files.createDirectories(pointer.getParent());
        Files.deleteIfExists(pointer);
        try {
            Files.createSymbolicLink(pointer, pointer.getParent().relativize(blob));
        } catch (UnsupportedOperationException | FileSystemException e) {
            Files.copy(blob, pointer, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Renames {@code from} onto {@code to} in one step where the file system can. */
    static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    // --- reading any hub cache met while scanning (pagoda models) ----------------------------

    /** A {@code models--ORG--NAME} folder holding {@code snapshots/}. */
    public static boolean isRepoFolder(Path dir) {
        Path name = dir.getFileName();
        return name != null && name.toString().startsWith(REPO_PREFIX) && Files.isDirectory(dir.resolve("snapshots"));
    }

    /** {@code models--Qwen--Qwen3-0.6B} -> {@code Qwen/Qwen3-0.6B} (hub repo names never contain "--"). */
    public static String repoName(Path repoFolder) {
        return repoFolder.getFileName().toString().substring(REPO_PREFIX.length()).replace("--", "/");
    }

    /**
     * The snapshot to use: the one {@code refs/main} names when it exists, else the most recently
     * modified one (a repo downloaded only at a pinned revision has no refs/main).
     *
     * @return empty when the repo has no snapshot folder at all
     */
    public static Optional<Path> snapshot(Path repoFolder) throws IOException {
        Path snapshots = repoFolder.resolve("snapshots");
        Path refMain = repoFolder.resolve("refs").resolve(HubRef.DEFAULT_REVISION);
        if (Files.isRegularFile(refMain)) {
            String revision = Files.readString(refMain).strip();
            // refs/main is one hash; anything else (a path, "..") must not lead outside snapshots/
            if (REVISION_FOLDER.matcher(revision).matches() && !revision.equals("..") && !revision.equals(".")) {
                Path pinned = snapshots.resolve(revision);
                if (Files.isDirectory(pinned)) return Optional.of(pinned);
            }
        }
        Path newest = null;
        FileTime newestTime = null;
        try (DirectoryStream<Path> revisions = Files.newDirectoryStream(snapshots, Files::isDirectory)) {
            for (Path revision : revisions) {
                FileTime time = Files.getLastModifiedTime(revision);
                // ties broken by name so the choice does not depend on directory order
                if (newest == null || time.compareTo(newestTime) > 0
                        || (time.equals(newestTime) && revision.getFileName().toString().compareTo(newest.getFileName().toString()) > 0)) {
                    newest = revision;
                    newestTime = time;
                }
            }
        }
        return Optional.ofNullable(newest);
    }

    private static Optional<Path> directory(Path dir) {
        return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
    }

    private static Optional<Path> uniqueSnapshotStarting(Path snapshots, String prefix) throws IOException {
        List<Path> matches = new ArrayList<>();
        try (DirectoryStream<Path> revisions = Files.newDirectoryStream(snapshots, Files::isDirectory)) {
            for (Path revision : revisions) {
                if (revision.getFileName().toString().startsWith(prefix)) matches.add(revision);
            }
        }
        return matches.size() == 1 ? Optional.of(matches.getFirst()) : Optional.empty();
    }
}
