package dev.pagoda.catalog.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.safetensors.HfWeightSource;
import dev.pagoda.catalog.tokenizer.Tokenizer;
import dev.pagoda.catalog.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultModelTest {

    @Test
    void isWrittenOnceAsARealModelFolderAndIdenticallyEverywhere(@TempDir Path a, @TempDir Path b) throws IOException {
        Path first = DefaultModel.materialize(a);
        long written = Files.getLastModifiedTime(first.resolve("model.safetensors")).toMillis();
        assertEquals(first, DefaultModel.materialize(a), "second call reuses the folder");
        assertEquals(written, Files.getLastModifiedTime(first.resolve("model.safetensors")).toMillis());
        try (Stream<Path> leftovers = Files.list(a)) {
            assertEquals(1, leftovers.count(), "no temporary folder is left behind");
        }

        Path other = DefaultModel.materialize(b);
        assertEquals(first.getFileName(), other.getFileName(), "the folder name is stable across caches and runs");
        assertArrayEquals(Files.readAllBytes(first.resolve("model.safetensors")),
                Files.readAllBytes(other.resolve("model.safetensors")), "deterministic weights");

        try (HfWeightSource weights = HfWeightSource.open(first)) {
            ModelSpec spec = weights.spec();
            assertEquals(256, spec.hiddenSize());
            assertEquals(4, spec.numLayers());
            long stored = weights.tensorNames().stream().mapToLong(n -> weights.tensor(n).elementCount()).sum();
            assertEquals(stored, spec.parameterCount());
        }
        Tokenizer tokenizer = Tokenizers.load(first);
        String text = "Hello, Pagoda!";
        assertEquals(text, tokenizer.decode(tokenizer.encode(text, false), false));
        assertTrue(tokenizer.bosTokenId().isPresent());
    }
}
