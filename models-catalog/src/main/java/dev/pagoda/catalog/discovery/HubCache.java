package dev.pagoda.catalog.discovery;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The Hugging Face hub cache layout that {@code huggingface_hub} writes:
 *
 * <pre>
 * hub/models--ORG--NAME/
 *     refs/main               text: the commit hash "main" resolved to at download time
 *     snapshots/REV/...       one folder per downloaded revision (files symlink into blobs/)
 *     blobs/...               content-addressed file data
 * </pre>
 */
public final class HubCache {

    static final String REPO_PREFIX = "models--";

    /** A revision folder name: a git commit hash (or, written by hand, at least a plain name without separators). */
    private static final Pattern REVISION = Pattern.compile("[A-Za-z0-9._-]+");

    private HubCache() {}

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

    /** A {@code models--ORG--NAME} folder holding {@code snapshots/}. */
    static boolean isRepoFolder(Path dir) {
        Path name = dir.getFileName();
        return name != null && name.toString().startsWith(REPO_PREFIX) && Files.isDirectory(dir.resolve("snapshots"));
    }

    /** {@code models--Qwen--Qwen3-0.6B} -> {@code Qwen/Qwen3-0.6B} (hub repo names never contain "--"). */
    static String repoName(Path repoFolder) {
        return repoFolder.getFileName().toString().substring(REPO_PREFIX.length()).replace("--", "/");
    }

    /**
     * The snapshot to use: the one {@code refs/main} names when it exists, else the most recently
     * modified one (a repo downloaded only at a pinned revision has no refs/main).
     *
     * @return empty when the repo has no snapshot folder at all
     */
    static Optional<Path> snapshot(Path repoFolder) throws IOException {
        Path snapshots = repoFolder.resolve("snapshots");
        Path refMain = repoFolder.resolve("refs").resolve("main");
        if (Files.isRegularFile(refMain)) {
            String revision = Files.readString(refMain).strip();
            // refs/main is one hash; anything else (a path, "..") must not lead outside snapshots/
            if (REVISION.matcher(revision).matches() && !revision.equals("..") && !revision.equals(".")) {
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
}
