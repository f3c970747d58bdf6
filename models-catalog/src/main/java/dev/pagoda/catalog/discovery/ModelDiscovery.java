package dev.pagoda.catalog.discovery;

import dev.pagoda.catalog.ModelFormatException;
import dev.pagoda.catalog.hub.HubCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds models under folders: HF model folders (config.json + safetensors), HF hub cache repos
 * ({@code models--ORG--NAME/snapshots/REV/}, wherever they appear in the tree) and {@code .gguf}
 * files. Only headers are read, so scanning a disk of multi-GB models takes milliseconds per model.
 *
 * <p>The walk follows symbolic links (the hub cache is made of them) but visits every real folder
 * and file once, so link loops and links back to an ancestor end; it goes at most
 * {@code maxDepth} folders below each root and skips hidden folders ({@code .git}, …) and hub dataset/space repos
 * below the roots. Anything that looks like a model but cannot be read becomes a {@link DiscoveryProblem};
 * nothing aborts the scan.
 */
public final class ModelDiscovery {

    public static final int DEFAULT_MAX_DEPTH = 6;

    private final int maxDepth;

    public ModelDiscovery() {
        this(DEFAULT_MAX_DEPTH);
    }

    /** @param maxDepth folders below a root that are still searched (0: the root's own files only) */
    public ModelDiscovery(int maxDepth) {
        if (maxDepth < 0) throw new IllegalArgumentException("maxDepth must be >= 0, got " + maxDepth);
        this.maxDepth = maxDepth;
    }

    /** Scans {@code roots} (folders or .gguf files); a missing root is reported as a problem. */
    public DiscoveryResult scan(List<Path> roots) {
        Scan scan = new Scan();
        for (Path root : roots) {
            Path absolute = root.toAbsolutePath().normalize();
            if (Files.isDirectory(absolute)) {
                scan.folder(absolute, 0, "");
            } else if (Files.isRegularFile(absolute) && GgufInspector.isGguf(absolute)) {
                scan.gguf(absolute, GgufInspector.baseName(absolute));
            } else {
                scan.problem(absolute, Files.exists(absolute) ? "not a folder or a .gguf file" : "no such folder");
            }
        }
        scan.models.sort(Comparator.comparing(DiscoveredModel::name).thenComparing(DiscoveredModel::path));
        scan.problems.sort(Comparator.comparing(DiscoveryProblem::path));
        return new DiscoveryResult(scan.models, scan.problems);
    }

    /** The state of one scan: what was found and which real paths were already seen. */
    private final class Scan {
        final List<DiscoveredModel> models = new ArrayList<>();
        final List<DiscoveryProblem> problems = new ArrayList<>();
        final Set<Path> seen = new HashSet<>();

        /** @param prefix prepended to the names found here ("ORG/NAME/" inside a hub snapshot, else "") */
        void folder(Path dir, int depth, String prefix) {
            if (!firstVisit(dir)) return;
            if (HubCache.isRepoFolder(dir)) {
                hubRepo(dir, depth);
                return;
            }
            List<Path> children = list(dir);
            if (children == null) return;
            boolean model = HfFolderInspector.looksLikeModel(children);
            if (model) hf(dir, prefix + dir.getFileName());
            for (Path child : children) {
                if (GgufInspector.isGguf(child) && Files.isRegularFile(child)) {
                    gguf(child, prefix + GgufInspector.baseName(child));
                } else if (!model && depth < maxDepth && !isSkipped(child) && Files.isDirectory(child)) {
                    // a model folder's sub-folders (original/, onnx/…) hold other formats of the same model
                    folder(child, depth + 1, prefix);
                }
            }
        }

        void hubRepo(Path repo, int depth) {
            String name = HubCache.repoName(repo);
            Optional<Path> snapshot;
            try {
                snapshot = HubCache.snapshot(repo);
            } catch (IOException | RuntimeException e) {
                problem(repo, "cannot read the snapshots: " + reason(e, repo));
                return;
            }
            if (snapshot.isEmpty()) {
                problem(repo, "no snapshot folder (download incomplete?)");
                return;
            }
            Path dir = snapshot.get();
            List<Path> children = list(dir);
            if (children == null) return;
            int reportedBefore = models.size() + problems.size();
            List<Path> ggufs = children.stream().filter(GgufInspector::isGguf).toList();
            for (Path file : ggufs) gguf(file, name + "/" + GgufInspector.baseName(file));
            if (Files.exists(dir.resolve("config.json")) && (ggufs.isEmpty() || HfFolderInspector.looksLikeModel(children))) {
                hf(dir, name);
            }
            // GGUF repos often keep each quantization in its own folder (Q4_K_M/NAME-00001-of-00002.gguf)
            for (Path child : children) {
                if (depth + 2 <= maxDepth && !isSkipped(child) && Files.isDirectory(child)) folder(child, depth + 2, name + "/");
            }
            if (models.size() + problems.size() == reportedBefore) {
                problem(dir, "snapshot has neither config.json nor .gguf files");
            }
        }

        /** The folder's entries, real ones before links to them (so a model reached both ways is named by its own path); null after reporting a problem. */
        private List<Path> list(Path dir) {
            try (Stream<Path> list = Files.list(dir)) {
                return list.sorted(Comparator.comparing((Path p) -> Files.isSymbolicLink(p))
                        .thenComparing(Comparator.naturalOrder())).toList();
            } catch (IOException | RuntimeException e) {
                problem(dir, "cannot list folder: " + reason(e, dir));
                return null;
            }
        }

        void hf(Path dir, String name) {
            try {
                models.add(HfFolderInspector.inspect(dir, name));
            } catch (IOException | RuntimeException e) {
                problem(dir, reason(e, dir));
            }
        }

        void gguf(Path file, String name) {
            if (!firstVisit(file)) return;
            try {
                GgufInspector.inspect(file, name).ifPresent(models::add);
            } catch (IOException | RuntimeException e) {
                problem(file, reason(e, file));
            }
        }

        void problem(Path path, String reason) {
            problems.add(new DiscoveryProblem(path, reason));
        }

        /** False when the real path (links resolved) was visited before: ends link loops and duplicates. */
        private boolean firstVisit(Path path) {
            try {
                return seen.add(path.toRealPath());
            } catch (IOException e) {
                return seen.add(path); // a dangling link: its own problem shows up where it is used
            }
        }
    }

    /** Hidden folders and the hub cache's dataset and space repos never hold models to list. */
    private static boolean isSkipped(Path path) {
        String name = path.getFileName().toString();
        return name.startsWith(".") || name.startsWith("datasets--") || name.startsWith("spaces--");
    }

    /**
     * One line saying what is wrong, with file names relative to {@code subject}
     * ("model-00002-of-00002.safetensors: header length …" rather than the whole path twice).
     */
    static String reason(Throwable e, Path subject) {
        String text;
        if (e instanceof ModelFormatException m) {
            String problem = m.getMessage().substring(Math.min(m.getMessage().length(), m.file().toString().length() + 2));
            Path file = m.file().toAbsolutePath().normalize();
            text = file.startsWith(subject) && !file.equals(subject) ? subject.relativize(file) + ": " + problem : problem;
        } else if (e instanceof NoSuchFileException missing) {
            text = "missing " + relative(missing.getFile(), subject);
        } else if (e instanceof IOException io) {
            text = "cannot read " + relative(io.getMessage(), subject);
        } else {
            text = e.getClass().getSimpleName() + ": " + relative(e.getMessage(), subject);
        }
        return text.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }

    private static String relative(String message, Path subject) {
        if (message == null) return "(no detail)";
        return message.replace(subject + "/", "");
    }
}
