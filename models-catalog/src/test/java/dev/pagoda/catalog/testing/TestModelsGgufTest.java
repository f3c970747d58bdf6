package dev.pagoda.catalog.testing;

import dev.pagoda.catalog.synthetic.SyntheticTokenizer;
import dev.pagoda.catalog.synthetic.SyntheticModels;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pagoda.catalog.config.Architecture;
import dev.pagoda.catalog.config.HfConfigReader;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.gguf.GgufWeightSource;
import dev.pagoda.catalog.quant.Dequantize;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tokenizer.GgufTokenizer;
import dev.pagoda.catalog.tokenizer.HfTokenizer;
import dev.pagoda.catalog.tokenizer.ParityCorpus;
import dev.pagoda.catalog.tokenizer.Tokenizers;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GGUF form of each fixture is the same model as its HF folder: the spec read back from the
 * GGUF equals the folder's except for the fields GGUF cannot carry (listed in
 * {@link #whatGgufCanCarry}), its tokenizer (built from tokenizer.ggml.* only) encodes and decodes
 * a varied corpus exactly as the HF tokenizers library runs the folder's tokenizer.json, and the
 * F32 file holds exactly the values the folder holds.
 */
class TestModelsGgufTest {

    private static final List<DType> TYPES = List.of(DType.F32, DType.F16, DType.Q8_0, DType.Q4_0);

    @TempDir
    Path tmp;

    @Test
    void specReadFromGgufEqualsTheHfFolderSpecOfEveryVariantAndType() {
        for (TestModels.Variant v : TestModels.all()) {
            ModelSpec hf = HfConfigReader.readFolder(TestModels.write(v, tmp.resolve(v.name())));
            for (DType type : TYPES) {
                Path file = TestModels.writeGguf(v, tmp.resolve(v.name() + "-" + type + ".gguf"), type);
                try (GgufWeightSource gguf = GgufWeightSource.open(file)) {
                    assertEquals(whatGgufCanCarry(hf, type), gguf.spec(), v.name() + " " + type);
                    assertEquals(v.name(), gguf.file().getString("general.name"));
                }
            }
        }
    }

    /**
     * The HF spec with what a GGUF file cannot say replaced by what llama.cpp reads instead:
     * Mistral is "llama" in GGUF; Llama-3 rope scaling is the rope_freqs.weight tensor, not
     * metadata; no sliding window is written; quantized files have no torch dtype; the eos ids are
     * tokenizer.ggml.eos_token_id followed by the &lt;|eot_id|&gt; control token.
     */
    private static ModelSpec whatGgufCanCarry(ModelSpec s, DType type) {
        int eos = TestModels.tokenizer().specialId(SyntheticTokenizer.EOT);
        String dtype = switch (type) {
            case F32 -> "float32";
            case F16 -> "float16";
            default -> null;
        };
        Architecture arch = s.architecture() == Architecture.MISTRAL ? Architecture.LLAMA : s.architecture();
        return s.toBuilder().architecture(arch).ropeScaling(null).torchDtype(dtype).eosTokenIds(eos).slidingWindow(null).build();
    }

    @Test
    void ggufTokenizerEncodesAndDecodesTheCorpusAsTheHfTokenizerOfTheSameFixture() {
        // Llama-3 and Qwen2 pre-tokenization are the two tokenizer styles the fixtures use
        for (TestModels.Variant v : List.of(TestModels.llama(), TestModels.qwen3())) {
            Path folder = TestModels.write(v, tmp.resolve(v.name()));
            Path file = TestModels.writeGguf(v, tmp.resolve(v.name() + ".gguf"), DType.Q8_0);
            try (HfTokenizer hf = Tokenizers.load(folder); GgufWeightSource gguf = GgufWeightSource.open(file)) {
                GgufTokenizer fromGguf = GgufTokenizer.fromMetadata(gguf.file().metadata(), file);
                assertEquals(hf.vocabSize(), fromGguf.vocabSize(), v.name());
                for (String text : ParityCorpus.all()) {
                    for (boolean special : new boolean[] {true, false}) {
                        int[] expected = hf.encode(text, special);
                        String what = v.name() + " special=" + special + " text=" + text;
                        assertArrayEquals(expected, fromGguf.encode(text, special), what);
                        assertEquals(hf.decode(expected, false), fromGguf.decode(expected, false), what);
                        assertEquals(hf.decode(expected, true), fromGguf.decode(expected, true), what);
                    }
                }
            }
        }
    }

    @Test
    void f32GgufHoldsExactlyTheFixtureWeights() {
        for (TestModels.Variant v : TestModels.all()) {
            Path file = TestModels.writeGguf(v, tmp.resolve(v.name() + ".gguf"), DType.F32);
            try (GgufWeightSource gguf = GgufWeightSource.open(file)) {
                for (SyntheticModels.Weight w : TestModels.weights(v)) {
                    var t = gguf.tensor(w.name());
                    assertArrayEquals(w.shape(), t.shape(), v.name() + " " + w.name());
                    assertArrayEquals(w.values(), Dequantize.toFloats(t), v.name() + " " + w.name());
                }
            }
        }
    }
}
