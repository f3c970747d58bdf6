package dev.pagoda.catalog.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our tokenizers against transformers.js on the real Llama-3, Qwen3, Llama-2 (SentencePiece) and
 * Gemma-3 tokenizers: the HF-library one, the hand-written GGUF one built from converted metadata,
 * and streaming decode of both.
 */
class TokenizerParityTest {

    /** One reference run and one load per tokenizer, shared by the test methods. */
    private record Fixture(List<String> texts, List<TransformersJsReference.Result> reference, HfTokenizer hf, GgufTokenizer gguf) {}

    private static final Map<String, Fixture> FIXTURES = new ConcurrentHashMap<>();

    private static Fixture fixture(String name) {
        return FIXTURES.computeIfAbsent(name, n -> {
            List<String> texts = ParityCorpus.all();
            var reference = TransformersJsReference.run(n, texts);
            Path dir = TransformersJsReference.modelDir(n);
            HfTokenizer hf = Tokenizers.load(dir);
            Path json = dir.resolve("tokenizer.json");
            GgufTokenizer gguf = GgufTokenizer.fromMetadata(GgufTokenizerMetadata.fromHfTokenizerJson(json, hf.config()), json);
            return new Fixture(texts, reference, hf, gguf);
        });
    }

    @AfterAll
    static void close() {
        FIXTURES.values().forEach(f -> f.hf().close());
        FIXTURES.clear();
    }

    private static String describe(Fixture f, int i) {
        return "text #" + i + (i >= ParityCorpus.FIXED.size() ? " (random mix seed " + (i - ParityCorpus.FIXED.size()) + ")" : "")
                + ": \"" + f.texts().get(i).replace("\n", "\\n") + "\"";
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "qwen3", "llama2", "gemma3"})
    void hfLibraryEncodesAndDecodesAsTransformersJs(String name) {
        Fixture f = fixture(name);
        for (int i = 0; i < f.texts().size(); i++) {
            var ref = f.reference().get(i);
            assertArrayEquals(ref.ids(), f.hf().encode(f.texts().get(i), false), name + " encode of " + describe(f, i));
            assertEquals(ref.decoded(), f.hf().decode(ref.ids(), false), name + " decode of " + describe(f, i));
            assertEquals(ref.decodedSkipSpecial(), f.hf().decode(ref.ids(), true), name + " decode (skip special) of " + describe(f, i));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "qwen3", "llama2", "gemma3"})
    void ggufTokenizerEncodesAndDecodesAsTransformersJs(String name) {
        Fixture f = fixture(name);
        for (int i = 0; i < f.texts().size(); i++) {
            var ref = f.reference().get(i);
            assertArrayEquals(ref.ids(), f.gguf().encode(f.texts().get(i), false), name + " GGUF encode of " + describe(f, i));
            assertEquals(ref.decoded(), f.gguf().decode(ref.ids(), false), name + " GGUF decode of " + describe(f, i));
            assertEquals(ref.decodedSkipSpecial(), f.gguf().decode(ref.ids(), true), name + " GGUF decode (skip special) of " + describe(f, i));
        }
    }

    /**
     * BOS/EOS insertion. transformers.js is the reference except for Llama-3, whose package omits BOS
     * (see notes.md); there the HF library decides and the GGUF tokenizer must agree with it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"llama3", "qwen3", "llama2", "gemma3"})
    void specialTokensAreAddedAsTheReferenceDoes(String name) {
        Fixture f = fixture(name);
        for (int i = 0; i < f.texts().size(); i++) {
            String text = f.texts().get(i);
            int[] hf = f.hf().encode(text, true);
            if (!name.equals("llama3")) assertArrayEquals(f.reference().get(i).idsWithSpecial(), hf, name + " encode with specials of " + describe(f, i));
            assertArrayEquals(hf, f.gguf().encode(text, true), name + " GGUF encode with specials of " + describe(f, i));
        }
        assertEquals(f.hf().bosTokenId(), f.gguf().bosTokenId(), name + " BOS id");
        assertEquals(f.hf().eosTokenIds().getFirst(), f.gguf().eosTokenIds().getFirst(), name + " EOS id");
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "qwen3", "llama2", "gemma3"})
    void streamingDeltasConcatenateToDecodeWithoutBrokenCharacters(String name) {
        Fixture f = fixture(name);
        for (int i = 0; i < f.texts().size(); i++) {
            var ref = f.reference().get(i);
            for (Tokenizer tok : List.of(f.hf(), f.gguf())) {
                for (boolean skip : new boolean[] {false, true}) {
                    String expected = skip ? ref.decodedSkipSpecial() : ref.decoded();
                    String where = name + " " + tok.getClass().getSimpleName() + " skip=" + skip + " " + describe(f, i);
                    assertEquals(expected, DetokenizerChecks.streamChecked(tok, ref.ids(), skip, expected, where), where);
                }
            }
        }
    }
}
