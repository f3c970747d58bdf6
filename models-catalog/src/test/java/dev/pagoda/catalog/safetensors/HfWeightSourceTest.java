package dev.pagoda.catalog.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.ModelFormatException;
import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.catalog.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfWeightSourceTest {

    @TempDir
    Path tmp;

    private Path sharded() {
        return TestModels.write(TestModels.llama().withSharded(true), tmp.resolve("m"));
    }

    private static String index(Path dir) throws IOException {
        return Files.readString(dir.resolve(HfWeightSource.INDEX_FILE));
    }

    @Test
    void shardedAndSingleFileGiveTheSameTensors() {
        Path one = TestModels.write(TestModels.llama(), tmp.resolve("one"));
        try (HfWeightSource a = HfWeightSource.open(one); HfWeightSource b = HfWeightSource.open(sharded())) {
            assertEquals(a.tensorNames(), b.tensorNames());
            for (String n : a.tensorNames()) {
                assertEquals(a.tensor(n).data().mismatch(b.tensor(n).data()), -1L, n);
            }
            assertEquals(a.spec(), b.spec());
        }
    }

    @Test
    void closeReleasesEveryShard() {
        HfWeightSource s = HfWeightSource.open(sharded());
        TensorData first = s.tensor("model.embed_tokens.weight");
        TensorData last = s.tensor("lm_head.weight");
        s.close();
        assertFalse(first.data().scope().isAlive());
        assertFalse(last.data().scope().isAlive());
    }

    private static ModelFormatException rejected(Path dir) {
        return assertThrows(ModelFormatException.class, () -> HfWeightSource.open(dir));
    }

    @Test
    void missingShardIsNamed() throws IOException {
        Path dir = sharded();
        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
        ModelFormatException e = rejected(dir);
        assertEquals(dir.resolve(HfWeightSource.INDEX_FILE), e.file());
        assertTrue(e.getMessage().contains("model-00002-of-00002.safetensors"), e.getMessage());
    }

    @Test
    void tensorMissingFromItsShardIsNamed() throws IOException {
        Path dir = sharded();
        Files.writeString(dir.resolve(HfWeightSource.INDEX_FILE), index(dir).replace("\"weight_map\" : {",
                "\"weight_map\" : {\n    \"model.extra.weight\" : \"model-00001-of-00002.safetensors\","));
        ModelFormatException e = rejected(dir);
        assertTrue(e.getMessage().contains("model.extra.weight"), e.getMessage());
        assertTrue(e.file().endsWith("model-00001-of-00002.safetensors"), e.file().toString());
    }

    @Test
    void indexCannotReachOutsideTheFolder() throws IOException {
        Path dir = sharded();
        Files.writeString(dir.resolve(HfWeightSource.INDEX_FILE),
                index(dir).replace("\"model-00002-of-00002.safetensors\"", "\"../model-00002-of-00002.safetensors\""));
        assertTrue(rejected(dir).getMessage().contains("not a file in the model folder"));
    }

    @Test
    void folderWithoutWeightsOrConfig() throws IOException {
        Path dir = TestModels.write(TestModels.qwen2(), tmp.resolve("q"));
        Files.delete(dir.resolve("model.safetensors"));
        ModelFormatException e = rejected(dir);
        assertEquals(dir, e.file());
        assertTrue(e.getMessage().contains("no model.safetensors"), e.getMessage());

        Files.delete(dir.resolve("config.json"));
        assertEquals(dir.resolve("config.json"), rejected(dir).file());
    }

    @Test
    void singleFileWinsOverAnIndexAsInTransformers() throws IOException {
        Path dir = sharded();
        TestModels.write(TestModels.llama(), dir);
        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
        try (HfWeightSource s = HfWeightSource.open(dir)) {
            assertTrue(s.has("lm_head.weight"));
        }
    }

    @Test
    void weightsThatDoNotFitTheConfigAreRejected() throws IOException {
        Path dir = TestModels.write(TestModels.qwen3(), tmp.resolve("q3"));
        Path config = dir.resolve("config.json");
        String original = Files.readString(config);
        Files.writeString(config, original.replace("\"intermediate_size\" : 128", "\"intermediate_size\" : 96"));
        ModelFormatException e = rejected(dir);
        assertTrue(e.getMessage().contains("model.layers.0.mlp.gate_proj.weight")
                && e.getMessage().contains("[128, 64]") && e.getMessage().contains("[96, 64]"), e.getMessage());

        Files.writeString(config, original.replace("\"tie_word_embeddings\" : false", "\"tie_word_embeddings\" : true"));
        try (HfWeightSource s = HfWeightSource.open(dir)) {
            assertTrue(s.has("lm_head.weight"), "an extra tensor is fine");
        }
        Path tied = TestModels.write(TestModels.tiedLlama(), tmp.resolve("tied"));
        Files.writeString(tied.resolve("config.json"), Files.readString(tied.resolve("config.json"))
                .replace("\"tie_word_embeddings\" : true", "\"tie_word_embeddings\" : false"));
        assertTrue(rejected(tied).getMessage().contains("lack tensor \"lm_head.weight\""));
    }

    @Test
    void absentTensorNamesTheSource() {
        try (HfWeightSource s = HfWeightSource.open(TestModels.write(TestModels.tiedLlama(), tmp.resolve("t")))) {
            assertFalse(s.has("lm_head.weight"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.tensor("lm_head.weight"));
            assertTrue(e.getMessage().contains("lm_head.weight") && e.getMessage().contains(s.folder().toString()));
        }
    }
}
