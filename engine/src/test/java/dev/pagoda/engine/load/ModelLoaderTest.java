package dev.pagoda.engine.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.config.HfConfigReader;
import dev.pagoda.catalog.demo.DemoModels;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.testing.TestModels;
import dev.pagoda.engine.cpu.Parallel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@code --model} and {@code --load-format} resolve, and the one-line errors when they cannot. */
class ModelLoaderTest {

    private final ModelLoader loader = new ModelLoader(null);

    private String failure(String model, LoadFormat format) {
        return assertThrows(IllegalArgumentException.class, () -> loader.load(model, format, s -> DType.F32, 0)).getMessage();
    }

    @Test
    void missingPathsAndFoldersWithoutConfigSayWhatIsWrong(@TempDir Path tmp) throws IOException {
        String missing = tmp.resolve("nothing-here").toString();
        assertTrue(failure(missing, LoadFormat.AUTO).startsWith("no model at " + missing), failure(missing, LoadFormat.AUTO));
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals(empty + " is not a model folder: config.json missing", failure(empty.toString(), LoadFormat.AUTO));
        Path text = Files.writeString(tmp.resolve("notes.txt"), "hi");
        assertTrue(failure(text.toString(), LoadFormat.AUTO).contains("not a model"), failure(text.toString(), LoadFormat.AUTO));
    }

    @Test
    void unknownShapeNamesListTheKnownOnes() {
        String message = failure("llama9-1t", LoadFormat.DUMMY);
        for (String name : BuiltinShapes.names()) assertTrue(message.contains(name), message);
        assertFalse(message.contains("\n"));
        assertTrue(failure("qwen2.5-0.5b", LoadFormat.AUTO).contains("--load-format dummy"));
    }

    @Test
    void builtinShapeWithDummyWeightsHasNoTokenizer() {
        try (LoadedModel m = loader.load("qwen2.5-0.5b", LoadFormat.DUMMY, s -> DType.BF16, 1)) {
            assertEquals(BuiltinShapes.QWEN2_5_0_5B, m.spec());
            assertTrue(m.tokenizer().isEmpty());
            assertEquals("qwen2.5-0.5b", m.name());
            assertEquals("BF16", m.weightDtype());
            assertEquals(DType.BF16, m.weights().tensor("model.norm.weight").dtype());
        }
    }

    @Test
    void folderWithDummyWeightsKeepsItsConfigAndTokenizer(@TempDir Path tmp) {
        Path folder = TestModels.write(TestModels.qwen3(), tmp.resolve("qwen3-tiny"));
        try (LoadedModel m = loader.load(folder.toString(), LoadFormat.DUMMY, s -> DType.F32, 1)) {
            assertEquals(HfConfigReader.readFolder(folder), m.spec());
            assertTrue(m.tokenizer().isPresent());
            assertTrue(m.chatTemplates().isPresent());
            assertEquals("qwen3-tiny", m.name());
            float stored = TestModels.weights(TestModels.qwen3()).getFirst().values()[0];
            float dummy = m.weights().tensor("model.embed_tokens.weight").data().get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 0);
            assertTrue(stored != dummy, "dummy weights are not the folder's");
            // eos ids: config.json's eot plus generation_config's end_of_text and eot, each once
            assertEquals(List.copyOf(new java.util.LinkedHashSet<>(m.eosTokenIds())), m.eosTokenIds());
            assertTrue(m.eosTokenIds().containsAll(HfConfigReader.readGenerationDefaults(folder).eosTokenIds()));
        }
    }

    @Test
    void noModelMeansTheShippedDemoModelAndItsDraftGoesByName() {
        try (Parallel parallel = new Parallel(1);
                LoadedModel m = new ModelLoader(parallel).load(null, LoadFormat.AUTO, spec -> DType.F32, 0);
                LoadedModel draft = new ModelLoader(parallel).load(DemoModels.DRAFT, LoadFormat.AUTO, spec -> DType.F32, 0)) {
            assertEquals(DemoModels.MAIN, m.name());
            assertEquals(HfConfigReader.readFolder(DemoModels.main()), m.spec());
            assertEquals("BF16", m.weightDtype());
            assertTrue(m.tokenizer().isPresent() && m.chatTemplates().isPresent(), "a real folder: tokenizer and chat template");
            assertEquals(DemoModels.DRAFT, draft.name());
            assertEquals(m.spec().vocabSize(), draft.spec().vocabSize(), "one tokenizer for both");
            assertTrue(draft.spec().parameterCount() * 3 <= m.spec().parameterCount(), "the draft is at least 3x smaller");
        }
    }
}
