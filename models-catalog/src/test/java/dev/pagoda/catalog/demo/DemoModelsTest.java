package dev.pagoda.catalog.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.config.HfConfigReader;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.safetensors.HfWeightSource;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tokenizer.Tokenizer;
import dev.pagoda.catalog.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoModelsTest {

    @Test
    void theShippedModelsAreRealHfFoldersWithinTheBriefsLimits() throws IOException {
        Path main = DemoModels.main(), draft = DemoModels.draft();
        long bytes = 0;
        for (Path dir : new Path[] {main, draft}) {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) bytes += Files.size(f);
            }
        }
        assertTrue(bytes <= 40_000_000L, "both folders together must stay within 40 MB, are " + bytes);

        ModelSpec m = HfConfigReader.readFolder(main), d = HfConfigReader.readFolder(draft);
        assertTrue(m.parameterCount() >= 10_000_000 && m.parameterCount() <= 30_000_000, "main: " + m.parameterCount());
        double ratio = (double) m.parameterCount() / d.parameterCount();
        assertTrue(ratio >= 3 && ratio <= 5, "the draft is 3-5x smaller: " + ratio);
        assertTrue(m.numKvHeads() < m.numHeads() && d.numKvHeads() < d.numHeads(), "GQA");
        assertEquals(Files.readString(main.resolve("tokenizer.json")), Files.readString(draft.resolve("tokenizer.json")),
                "one tokenizer for both");

        for (Path dir : new Path[] {main, draft}) {
            try (HfWeightSource weights = HfWeightSource.open(dir)) {
                long stored = weights.tensorNames().stream().mapToLong(n -> weights.tensor(n).elementCount()).sum();
                assertEquals(stored, weights.spec().parameterCount(), dir.toString());
                assertEquals(DType.BF16, weights.tensor("model.embed_tokens.weight").dtype());
            }
            Tokenizer tokenizer = Tokenizers.load(dir);
            assertTrue(tokenizer.vocabSize() >= 4096 && tokenizer.vocabSize() <= 8192, "4-8k tokens: " + tokenizer.vocabSize());
            String text = "Hello! What is a lantern?";
            assertEquals(text, tokenizer.decode(tokenizer.encode(text, false), false));
        }
    }

    @Test
    void theConfiguredFolderWinsThenTheCodeLocationsAncestors(@TempDir Path tmp) throws IOException {
        Path configured = fakeModels(tmp.resolve("configured"));
        Path install = tmp.resolve("install");
        Path beside = fakeModels(install);
        Path jar = Files.createDirectories(install.resolve("lib").resolve("app")).resolve("models-catalog.jar");

        assertEquals(configured, DemoModels.root(configured.toString(), null, Optional.of(jar)));
        assertEquals(configured, DemoModels.root(null, configured.toString(), Optional.of(jar)));
        assertEquals(beside, DemoModels.root(tmp.resolve("empty").toString(), null, Optional.of(jar)),
                "a configured folder without the models falls through to the code location");

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DemoModels.root(tmp.resolve("empty").toString(), null, Optional.of(tmp.resolve("elsewhere/x.jar"))));
        assertTrue(e.getMessage().contains(tmp.resolve("empty").toString()) && e.getMessage().contains("--model"), e.getMessage());
    }

    /** A models/demo folder under {@code root} with both config files; returns that models/demo folder. */
    private static Path fakeModels(Path root) throws IOException {
        Path demo = root.resolve("models").resolve("demo");
        for (String name : new String[] {DemoModels.MAIN, DemoModels.DRAFT}) {
            Files.createDirectories(demo.resolve(name));
            Files.writeString(demo.resolve(name).resolve("config.json"), "{}");
        }
        return demo;
    }
}
