package dev.pagoda.catalog.synthetic;

import dev.pagoda.catalog.config.Architecture;
import dev.pagoda.catalog.synthetic.SyntheticModels.Shape;
import dev.pagoda.catalog.synthetic.SyntheticModels.Variant;
import dev.pagoda.catalog.tensor.DType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The model Pagoda serves when none is named, so that {@code ./pagoda} works on a fresh machine
 * with no download: a small Llama-architecture model with deterministic random weights and the
 * synthetic byte-level BPE tokenizer (real HF layout, Llama-3 chat template). Its text is
 * gibberish — it exists to exercise everything else until a trained default ships.
 *
 * <p>It is written on first use into a cache folder whose name carries a digest of its
 * definition, through a temporary sibling folder moved into place, so a crash never leaves a half
 * model and a changed definition never reuses stale files.
 */
public final class DefaultModel {

    /** The name the server reports for it. */
    public static final String NAME = "pagoda-default";

    /** hidden 256, 4 layers, 8 heads, 4 KV heads, head_dim 32, intermediate 768: ~3.5M parameters, 14 MB. */
    public static final Variant VARIANT = new Variant(
            Architecture.LLAMA, DType.F32, false, false, 2026, new Shape(256, 4, 8, 4, 32, 32, 768));

    /** Bump when the synthetic generator changes what it writes, so caches of the old bytes are not reused. */
    private static final int GENERATOR_VERSION = 1;

    private DefaultModel() {}

    /** {@code $PAGODA_CACHE/models} if set, else {@code ~/.cache/pagoda/models}. */
    public static Path defaultCacheRoot() {
        String env = System.getenv("PAGODA_CACHE");
        Path base = env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "pagoda");
        return base.resolve("models");
    }

    /** The default model's folder under {@link #defaultCacheRoot()}, written if absent. */
    public static Path materialize() {
        return materialize(defaultCacheRoot());
    }

    /** The default model's folder under {@code cacheRoot}, written if absent. */
    public static Path materialize(Path cacheRoot) {
        // String hash codes are stable across runs (record/enum ones are not).
        String definition = VARIANT.name() + VARIANT.shape() + "/v" + GENERATOR_VERSION;
        Path dir = cacheRoot.resolve(NAME + "-" + Integer.toHexString(definition.hashCode()));
        if (Files.isRegularFile(dir.resolve("config.json"))) return dir;
        try {
            Files.createDirectories(cacheRoot);
            Path tmp = Files.createTempDirectory(cacheRoot, "." + NAME + "-");
            try {
                SyntheticModels.write(VARIANT, tmp);
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                // Another process moved its copy into place first (or the file system cannot move
                // atomically and a copy exists): theirs is identical by construction.
                if (!Files.isRegularFile(dir.resolve("config.json"))) throw e;
            } finally {
                SyntheticModels.deleteTree(tmp);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the default model under " + cacheRoot + ": " + e.getMessage(), e);
        }
    }
}
