package dev.pagoda.catalog.demo;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The models Pagoda trains and ships (issue 12; the recipe is {@code models/demo/recipe}):
 * {@value #MAIN}, the model served when none is named, and {@value #DRAFT}, its draft for
 * speculative decoding (same tokenizer, ~3x smaller). Both are plain HF folders under
 * {@code models/demo/} of the repository or of an installation, read in place.
 *
 * <p>Why a folder and not a jar resource: the weights are memory-mapped, which needs a real file,
 * and the repository already holds one. As a resource the 38 MB would be stored again in every
 * build ({@code target/classes}, the jar, the GPU bundle, whose carry limit it would break) and
 * copied into a cache on first use.
 *
 * <p>Where: {@code -Dpagoda.demo.models=DIR} (the {@code ./pagoda} launcher sets it), else
 * {@code $PAGODA_DEMO_MODELS}, else the first ancestor of this class's code location that holds
 * {@code models/demo/pagoda-demo/config.json} (the repository for builds and tests; an
 * installation that lays out {@code models/demo/} beside its jars).
 */
public final class DemoModels {

    /** The name the server reports for the main model. */
    public static final String MAIN = "pagoda-demo";
    /** The draft model's name. */
    public static final String DRAFT = "pagoda-demo-draft";

    static final String PROPERTY = "pagoda.demo.models";
    static final String ENV = "PAGODA_DEMO_MODELS";
    private static final Path RELATIVE = Path.of("models", "demo");

    private DemoModels() {}

    /** The main model's folder. */
    public static Path main() {
        return folder(MAIN);
    }

    /** The draft model's folder. */
    public static Path draft() {
        return folder(DRAFT);
    }

    /** True for {@link #MAIN} and {@link #DRAFT}: names {@code --model} may use instead of a path. */
    public static boolean isName(String model) {
        return MAIN.equals(model) || DRAFT.equals(model);
    }

    /**
     * The folder holding both models ({@code models/demo}).
     *
     * @throws IllegalStateException naming every place looked at when none holds them
     */
    public static Path root() {
        return root(System.getProperty(PROPERTY), System.getenv(ENV), codeLocation());
    }

    static Path root(String property, String env, Optional<Path> code) {
        List<String> tried = new ArrayList<>();
        for (String configured : new String[] {property, env}) {
            if (configured == null || configured.isBlank()) continue;
            Path dir = path(configured);
            if (holdsModels(dir)) return dir;
            tried.add(dir.toString());
        }
        for (Path dir = code.orElse(null); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(RELATIVE);
            if (holdsModels(candidate)) return candidate;
        }
        code.ifPresent(c -> tried.add(RELATIVE + " beside " + c + " and its parents"));
        throw new IllegalStateException("the demo models " + MAIN + " and " + DRAFT + " are not installed here (looked at "
                + String.join("; ", tried) + "); set -D" + PROPERTY + " or " + ENV + " to their models/demo folder, or pass --model");
    }

    private static Path folder(String name) {
        return root().resolve(name);
    }

    private static boolean holdsModels(Path dir) {
        return Files.isRegularFile(dir.resolve(MAIN).resolve("config.json"))
                && Files.isRegularFile(dir.resolve(DRAFT).resolve("config.json"));
    }

    /** This class's jar or classes folder, absolute. */
    private static Optional<Path> codeLocation() {
        CodeSource source = DemoModels.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) return Optional.empty();
        try {
            return Optional.of(Path.of(source.getLocation().toURI()).toAbsolutePath());
        } catch (URISyntaxException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return Optional.empty(); // not a file: URL (a custom class loader); the property or variable must say
        }
    }

    private static Path path(String configured) {
        try {
            return Path.of(configured).toAbsolutePath();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(PROPERTY + "/" + ENV + " is not a path: " + configured);
        }
    }
}
