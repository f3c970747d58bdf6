package dev.pagoda.catalog.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pagoda.catalog.tokenizer.ReferenceTokenizers.Loaded;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Streaming decode on random id sequences, the hard cases for it: lone and split byte tokens (partial
 * UTF-8), special tokens between words, SentencePiece leading spaces. The HF library's {@code decode}
 * is the reference; our GGUF tokenizer's decode must equal it too.
 */
class IncrementalDetokenizerTest {

    private static final int SEEDS = 300;

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "llama2"})
    void randomSequencesStreamToExactlyTheDecodedText(String name) {
        Loaded f = ReferenceTokenizers.get(name);
        List<Integer> bytes = byteTokens(f.gguf());
        List<Integer> specials = new ArrayList<>();
        for (int id = 0; id < f.gguf().vocabSize(); id++) if (f.gguf().isSpecial(id)) specials.add(id);
        for (int seed = 0; seed < SEEDS; seed++) {
            Random r = new Random(seed);
            int[] ids = new int[1 + r.nextInt(30)];
            for (int k = 0; k < ids.length; k++) {
                int pick = r.nextInt(10);
                ids[k] = pick < 4 ? bytes.get(r.nextInt(bytes.size()))
                        : pick < 5 ? specials.get(r.nextInt(specials.size()))
                        : r.nextInt(f.gguf().vocabSize());
            }
            for (boolean skip : new boolean[] {false, true}) {
                String where = name + " seed " + seed + " skip=" + skip;
                String expected = f.hf().decode(ids, skip);
                assertEquals(expected, f.gguf().decode(ids, skip), where + ": GGUF decode differs from the HF library");
                for (Tokenizer tok : List.of(f.hf(), f.gguf())) {
                    assertEquals(expected, DetokenizerChecks.streamChecked(tok, ids, skip, expected, where), where);
                }
            }
        }
    }

    /**
     * Our lossy UTF-8 decoding (one U+FFFD per maximal invalid subpart, Rust's rule) against the HF
     * library's, on random bytes spelled as Llama-3's single-byte tokens. (The JDK's decoder is no
     * reference: it replaces an encoded surrogate ED B8 80 with one U+FFFD where Rust gives three.)
     */
    @Test
    void invalidUtf8IsReplacedExactlyAsTheHfLibraryDoes() {
        Loaded f = ReferenceTokenizers.get("llama3");
        int[] tokenOfByte = new int[256];
        for (int id = 0; id < f.gguf().vocabSize(); id++) {
            String p = f.gguf().tokenPiece(id);
            if (p.length() == 1 && ByteLevelAlphabet.byteOf(p.charAt(0)) >= 0) tokenOfByte[ByteLevelAlphabet.byteOf(p.charAt(0))] = id;
        }
        for (int seed = 0; seed < 2000; seed++) {
            Random r = new Random(seed);
            byte[] bytes = new byte[r.nextInt(12)];
            int[] ids = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) (r.nextBoolean() ? 0x80 + r.nextInt(0x80) : r.nextInt(0x100));
                ids[i] = tokenOfByte[bytes[i] & 0xFF];
            }
            assertEquals(f.hf().decode(ids, false), Utf8.decodeLossy(bytes, bytes.length), "seed " + seed);
        }
    }

    /** Tokens that are a single byte: {@code <0xXX>} pieces or byte-level characters of non-ASCII bytes. */
    private static List<Integer> byteTokens(Tokenizer tok) {
        List<Integer> out = new ArrayList<>();
        for (int id = 0; id < tok.vocabSize(); id++) {
            String p = tok.tokenPiece(id);
            if (p.matches("<0x[0-9A-F]{2}>") || (p.length() == 1 && ByteLevelAlphabet.byteOf(p.charAt(0)) >= 0x80)) out.add(id);
        }
        return out;
    }

    @Test
    void holdsBackAByteFallbackCharacterUntilTheRunEnds() {
        Loaded f = ReferenceTokenizers.get("llama2");
        int[] ids = f.gguf().encode("a\uD83E\uDEE0b", false); // U+1FAE0 is outside the vocabulary: four <0xXX> tokens
        List<String> pieces = new ArrayList<>();
        for (int id : ids) pieces.add(f.gguf().tokenPiece(id));
        int first = pieces.indexOf("<0xF0>");
        assertEquals(List.of("<0xF0>", "<0x9F>", "<0xAB>", "<0xA0>", "b"), pieces.subList(first, first + 5), "pieces " + pieces);
        IncrementalDetokenizer detok = f.gguf().newDetokenizer(false);
        List<String> deltas = new ArrayList<>();
        for (int id : ids) deltas.add(detok.push(id));
        assertEquals(List.of("", "", "", "", "\uD83E\uDEE0b"), deltas.subList(first, first + 5));
        assertEquals("", detok.flush());
    }

    @Test
    void keepsTheSpaceOfAWordAfterASkippedSpecialToken() {
        Loaded f = ReferenceTokenizers.get("llama2");
        int[] words = f.gguf().encode("Hello world", false);
        int eos = f.gguf().eosTokenIds().getFirst();
        int[] ids = {words[0], eos, words[1]};
        assertEquals("\u2581world", f.gguf().tokenPiece(words[1]));
        IncrementalDetokenizer detok = f.gguf().newDetokenizer(true);
        StringBuilder text = new StringBuilder();
        for (int id : ids) text.append(detok.push(id));
        assertEquals("Hello world", text.append(detok.flush()).toString());
        assertEquals(f.hf().decode(ids, true), text.toString());
    }

    @Test
    void rejectsAnIdOutsideTheVocabulary() {
        Loaded f = ReferenceTokenizers.get("llama2");
        IncrementalDetokenizer detok = f.gguf().newDetokenizer(false);
        assertThrows(IllegalArgumentException.class, () -> detok.push(f.gguf().vocabSize()));
        assertThrows(IllegalArgumentException.class, () -> detok.push(-1));
    }
}
