package dev.pagoda.webapi.testing;

import dev.pagoda.catalog.chat.ChatTemplates;
import dev.pagoda.catalog.config.HfConfigReader;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.testing.TestModels;
import dev.pagoda.catalog.tokenizer.Tokenizer;
import dev.pagoda.catalog.tokenizer.Tokenizers;
import dev.pagoda.engine.api.ModelInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The Llama fixture of {@link TestModels} (vocabulary 512 with Llama-3 special tokens and chat
 * template) as the {@link ModelInfo} a server sees: real tokenizer, real template, real
 * generation_config.json defaults.
 */
public final class FixtureModel {

    public static final String NAME = "fixture-llama";
    public static final int MAX_MODEL_LEN = 1024;
    public static final int BLOCK_SIZE = 16;
    public static final int NUM_BLOCKS = 512;

    private FixtureModel() {}

    private static ModelInfo cached;

    /** Built once per JVM (learning the fixture tokenizer and writing the folder take a while); immutable. */
    public static synchronized ModelInfo info() {
        if (cached == null) cached = build();
        return cached;
    }

    private static ModelInfo build() {
        Path dir;
        try {
            dir = Files.createTempDirectory("pagoda-webapi-fixture");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestModels.write(TestModels.llama(), dir);
        ModelSpec spec = HfConfigReader.readFolder(dir);
        Tokenizer tokenizer = Tokenizers.load(dir);
        ChatTemplates templates = ChatTemplates.fromTokenizerConfig(dir.resolve("tokenizer_config.json"));
        return new ModelInfo(NAME, dir.toString(), spec, Optional.of(tokenizer), Optional.of(templates),
                HfConfigReader.readGenerationDefaults(dir), MAX_MODEL_LEN,
                new ModelInfo.CacheInfo(BLOCK_SIZE, NUM_BLOCKS, 4096, NUM_BLOCKS * BLOCK_SIZE / (double) MAX_MODEL_LEN),
                "cpu", "F32");
    }
}
