package dev.pagoda.catalog.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.ModelFormatException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** A tiny SentencePiece vocabulary whose tokenizations are worked out by hand, and bad metadata. */
class GgufTokenizerTest {

    private static final Path FILE = Path.of("tiny.gguf");

    /** ids:                                0        1      2       3         4         5    6    7    8    9    10    11    12     13     14        15 */
    private static final List<Object> TOKENS = List.of("<unk>", "<s>", "</s>", "<0xC3>", "<0xA9>", "▁", "h", "e", "l", "o", "▁h", "ll", "▁he", "llo", "▁hello", "he");
    private static final List<Object> TYPES = List.of(2L, 3L, 3L, 6L, 6L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L);
    private static final List<Object> SCORES = List.of(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -1.0, -2.0, -3.0, -4.0, -5.0, -0.5);

    private static Map<String, Object> spm() {
        Map<String, Object> m = new HashMap<>();
        m.put("tokenizer.ggml.model", "llama");
        m.put("tokenizer.ggml.tokens", TOKENS);
        m.put("tokenizer.ggml.token_type", TYPES);
        m.put("tokenizer.ggml.scores", SCORES);
        m.put("tokenizer.ggml.bos_token_id", 1L);
        m.put("tokenizer.ggml.eos_token_id", 2L);
        m.put("tokenizer.ggml.unknown_token_id", 0L);
        return m;
    }

    @Test
    void mergesHighestScoreFirstWithDummyPrefixAndByteFallback() {
        GgufTokenizer tok = GgufTokenizer.fromMetadata(spm(), FILE);
        // ▁ h e l l o: he(-0.5) > ▁h(-1); then ll(-2), ▁he(-3), llo(-4), ▁hello(-5)
        assertArrayEquals(new int[] {14}, tok.encode("hello", false));
        // ▁ h e l: he, then ▁he; "▁hel" is no token
        assertArrayEquals(new int[] {12, 8}, tok.encode("hel", false));
        // é is not in the vocabulary: its UTF-8 bytes C3 A9
        assertArrayEquals(new int[] {5, 3, 4}, tok.encode("é", false));
        // z has neither a token nor a byte token: unknown, consecutive unknowns fused
        assertArrayEquals(new int[] {5, 0}, tok.encode("zz", false));
        // special tokens in the text; the text after one gets the dummy prefix again; BOS added (llama default)
        assertArrayEquals(new int[] {1, 1, 14, 2, 14}, tok.encode("<s>hello</s>hello", true));
        assertArrayEquals(new int[] {}, tok.encode("", false));
        assertArrayEquals(new int[] {1}, tok.encode("", true));
    }

    @Test
    void decodesSpacesBytesAndSpecials() {
        GgufTokenizer tok = GgufTokenizer.fromMetadata(spm(), FILE);
        assertEquals("hello hello", tok.decode(new int[] {14, 14}, false));
        assertEquals("helloé", tok.decode(new int[] {14, 3, 4}, false));
        assertEquals("\uFFFD", tok.decode(new int[] {3}, false));
        assertEquals("\uFFFD\uFFFD\uFFFD", tok.decode(new int[] {4, 3, 3}, false), "an invalid byte run: one U+FFFD per byte");
        assertEquals("<s> hello</s>", tok.decode(new int[] {1, 14, 2}, false));
        assertEquals("hello", tok.decode(new int[] {1, 14, 2}, true));
        assertTrue(tok.isSpecial(0) && tok.isSpecial(1) && !tok.isSpecial(14));
        assertEquals(List.of(2), tok.eosTokenIds());
    }

    @Test
    void withoutDummyPrefixSpacesStayAsWritten() {
        Map<String, Object> m = spm();
        m.put("tokenizer.ggml.add_space_prefix", false);
        m.put("tokenizer.ggml.add_bos_token", false);
        GgufTokenizer tok = GgufTokenizer.fromMetadata(m, FILE);
        assertArrayEquals(new int[] {15, 13}, tok.encode("hello", true)); // he(-0.5), ll(-2), llo(-4); no "hello"
        assertArrayEquals(new int[] {14}, tok.encode(" hello", false));
        assertEquals(" hello", tok.decode(new int[] {14}, false));
    }

    @Test
    void badMetadataGivesOneClearErrorNamingTheKey() {
        check(m -> m.remove("tokenizer.ggml.model"), "missing metadata tokenizer.ggml.model");
        check(m -> m.put("tokenizer.ggml.model", "bert"), "unsupported tokenizer.ggml.model \"bert\"");
        check(m -> m.put("tokenizer.ggml.tokens", List.of("a", 5L)), "tokenizer.ggml.tokens[1] must be a string");
        check(m -> m.put("tokenizer.ggml.token_type", List.of(1L)), "tokenizer.ggml.token_type has 1 entries");
        check(m -> m.put("tokenizer.ggml.token_type", TYPES.stream().map(t -> (Object) 9L).toList()), "is not a token type");
        check(m -> m.remove("tokenizer.ggml.scores"), "missing metadata tokenizer.ggml.scores");
        check(m -> m.put("tokenizer.ggml.bos_token_id", 99L), "tokenizer.ggml.bos_token_id = 99 is outside the vocabulary");
        check(m -> m.put("tokenizer.ggml.add_bos_token", 1L), "tokenizer.ggml.add_bos_token must be a bool");
        check(m -> m.put("tokenizer.ggml.tokens", "abc"), "tokenizer.ggml.tokens must be an array");
        check(m -> {
            m.put("tokenizer.ggml.model", "gpt2");
            m.put("tokenizer.ggml.pre", "deepseek-coder");
        }, "unsupported tokenizer.ggml.pre \"deepseek-coder\"");
        check(m -> {
            m.put("tokenizer.ggml.model", "gpt2");
            m.put("tokenizer.ggml.merges", List.of("h x"));
        }, "tokenizer.ggml.merges[0] uses \"x\"");
    }

    private static void check(Consumer<Map<String, Object>> breakIt, String expected) {
        Map<String, Object> m = spm();
        breakIt.accept(m);
        var e = assertThrows(ModelFormatException.class, () -> GgufTokenizer.fromMetadata(m, FILE));
        assertEquals(FILE, e.file());
        assertTrue(e.getMessage().contains(expected), "expected \"" + expected + "\" in: " + e.getMessage());
    }
}
