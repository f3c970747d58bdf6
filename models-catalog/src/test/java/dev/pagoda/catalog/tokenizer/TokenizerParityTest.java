package dev.pagoda.catalog.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pagoda.catalog.tokenizer.ReferenceTokenizers.Loaded;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Our tokenizers against transformers.js on the real Llama-3, Qwen3, Llama-2 (SentencePiece) and
 * Gemma-3 tokenizers: the HF-library one, the hand-written GGUF one built from converted metadata,
 * and streaming decode of both.
 */
class TokenizerParityTest {

    private static String describe(Loaded f, int i) {
        return "text #" + i + (i >= ParityCorpus.FIXED.size() ? " (random mix seed " + (i - ParityCorpus.FIXED.size()) + ")" : "")
                + ": \"" + f.texts().get(i).replace("\n", "\\n") + "\"";
    }

    @ParameterizedTest
    @FieldSource("dev.pagoda.catalog.tokenizer.ReferenceTokenizers#NAMES")
    void hfLibraryEncodesAndDecodesAsTransformersJs(String name) {
        Loaded f = ReferenceTokenizers.get(name);
        for (int i = 0; i < f.texts().size(); i++) {
            var ref = f.reference().get(i);
            assertArrayEquals(ref.ids(), f.hf().encode(f.texts().get(i), false), name + " encode of " + describe(f, i));
            assertEquals(ref.decoded(), f.hf().decode(ref.ids(), false), name + " decode of " + describe(f, i));
            assertEquals(ref.decodedSkipSpecial(), f.hf().decode(ref.ids(), true), name + " decode (skip special) of " + describe(f, i));
        }
    }

    @ParameterizedTest
    @FieldSource("dev.pagoda.catalog.tokenizer.ReferenceTokenizers#NAMES")
    void ggufTokenizerEncodesAndDecodesAsTransformersJs(String name) {
        Loaded f = ReferenceTokenizers.get(name);
        for (Tokenizer gguf : f.ggufs()) {
            String what = name + (gguf == f.ggufByScores() ? " GGUF (merging by score)" : " GGUF");
            for (int i = 0; i < f.texts().size(); i++) {
                var ref = f.reference().get(i);
                assertArrayEquals(ref.ids(), gguf.encode(f.texts().get(i), false), what + " encode of " + describe(f, i));
                assertEquals(ref.decoded(), gguf.decode(ref.ids(), false), what + " decode of " + describe(f, i));
                assertEquals(ref.decodedSkipSpecial(), gguf.decode(ref.ids(), true), what + " decode (skip special) of " + describe(f, i));
            }
        }
    }

    @ParameterizedTest
    @FieldSource("dev.pagoda.catalog.tokenizer.ReferenceTokenizers#NAMES")
    void ggufVocabularyAndSpecialFlagsEqualTheHfOnes(String name) {
        Loaded f = ReferenceTokenizers.get(name);
        assertEquals(f.hf().vocabSize(), f.gguf().vocabSize(), name + " vocabulary size");
        for (int id = 0; id < f.hf().vocabSize(); id++) {
            assertEquals(f.hf().tokenPiece(id), f.gguf().tokenPiece(id), name + " piece of " + id);
            assertEquals(f.hf().isSpecial(id), f.gguf().isSpecial(id), name + " special flag of " + id + " " + f.hf().tokenPiece(id));
        }
    }

    /**
     * BOS/EOS insertion. transformers.js is the reference except for Llama-3, whose package omits BOS
     * (see notes.md); there the HF library decides and the GGUF tokenizer must agree with it.
     */
    @ParameterizedTest
    @FieldSource("dev.pagoda.catalog.tokenizer.ReferenceTokenizers#NAMES")
    void specialTokensAreAddedAsTheReferenceDoes(String name) {
        Loaded f = ReferenceTokenizers.get(name);
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
    @FieldSource("dev.pagoda.catalog.tokenizer.ReferenceTokenizers#NAMES")
    void streamingDeltasConcatenateToDecodeWithoutBrokenCharacters(String name) {
        Loaded f = ReferenceTokenizers.get(name);
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
