package dev.pagoda.webapi.testing;

import dev.pagoda.catalog.testing.TestModels;
import dev.pagoda.engine.core.EngineConfig;
import dev.pagoda.engine.core.LocalEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * The real {@link LocalEngine} on the Llama fixture of {@link TestModels} (2 layers, hidden 64,
 * vocabulary 512, context 512, F32 on the CPU): what the server tests run against.
 */
public final class RealEngines {

    /** 512 blocks of 16 tokens: K and V of 2 layers x 2 KV heads x 16 dims in F32 are 8 KiB a block. */
    public static final long KV_BYTES = 512L * 8192;

    private static Path folder;

    private RealEngines() {}

    /** The fixture folder, written once per JVM. */
    public static synchronized Path fixtureFolder() {
        if (folder == null) {
            try {
                folder = TestModels.write(TestModels.llama(), Files.createTempDirectory("pagoda-webapi-llama"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return folder;
    }

    /** The config the tests start from: served as {@link FixtureModel#NAME}, two CPU threads (CI has two cores). */
    public static EngineConfig.Builder config() {
        return EngineConfig.builder(fixtureFolder().toString())
                .servedModelName(FixtureModel.NAME)
                .kvCacheMemoryBytes(KV_BYTES)
                .cpuThreads(2);
    }

    public static LocalEngine start(UnaryOperator<EngineConfig.Builder> change) {
        return LocalEngine.start(change.apply(config()).build());
    }

    public static LocalEngine start() {
        return start(UnaryOperator.identity());
    }
}
