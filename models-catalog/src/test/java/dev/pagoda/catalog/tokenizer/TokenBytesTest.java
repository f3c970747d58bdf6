package dev.pagoda.catalog.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.tokenizer.ReferenceTokenizers.Loaded;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * {@link Tokenizer#tokenBytes} against the HF library's own decode on the real Llama-3, Qwen3
 * (byte-level) and Llama-2, Gemma-3 (SentencePiece with byte fallback) tokenizers: every id of the
 * vocabulary, and whole encoded texts.
 */
class TokenBytesTest {

    /**
     * Every id decoded after a plain "a" (so a SentencePiece decoder's strip of the text's first
     * space cannot touch it) is "a" followed by the id's bytes read as UTF-8 (invalid bytes as
     * U+FFFD, which is what HF prints for a lone byte token or a partial character).
     */
    @ParameterizedTest
    @FieldSource("dev.pagoda.catalog.tokenizer.ReferenceTokenizers#NAMES")
    void everyTokenDecodesToItsBytes(String name) {
        Loaded f = ReferenceTokenizers.get(name);
        int[] a = f.hf().encode("a", false);
        assertEquals(1, a.length, name + ": \"a\" is one token");
        int checked = 0;
        for (int id = 0; id < f.hf().vocabSize(); id++) {
            String decoded;
            try {
                decoded = f.hf().decode(new int[] {a[0], id}, false);
            } catch (IllegalArgumentException unusedId) {
                continue;
            }
            byte[] bytes = f.hf().tokenBytes(id);
            assertEquals(decoded, "a" + Utf8.decodeLossy(bytes, bytes.length), name + " token " + id + " \"" + f.hf().tokenPiece(id) + "\"");
            checked++;
        }
        assertTrue(checked > 30_000, name + ": checked " + checked + " ids");
    }

    /** The bytes of an encoded text's tokens, concatenated, are the decoded text's UTF-8 (up to the first-space strip). */
    @ParameterizedTest
    @FieldSource("dev.pagoda.catalog.tokenizer.ReferenceTokenizers#NAMES")
    void encodedTextsConcatenateToTheirDecodedBytes(String name) {
        Loaded f = ReferenceTokenizers.get(name);
        for (String text : f.texts()) {
            int[] ids = f.hf().encode(text, false);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int id : ids) out.writeBytes(f.hf().tokenBytes(id));
            String joined = out.toString(StandardCharsets.UTF_8);
            String decoded = f.hf().decode(ids, false);
            boolean stripped = joined.startsWith(" ") && decoded.equals(joined.substring(1));
            assertTrue(decoded.equals(joined) || stripped, name + ": \"" + text + "\" decodes to \"" + decoded + "\", its bytes are \"" + joined + "\"");
        }
    }

    /** The GGUF tokenizer built from the same vocabulary spells every id as the HF one does. */
    @ParameterizedTest
    @FieldSource("dev.pagoda.catalog.tokenizer.ReferenceTokenizers#NAMES")
    void ggufTokenizerSpellsEveryTokenAsTheHfOne(String name) {
        Loaded f = ReferenceTokenizers.get(name);
        for (Tokenizer gguf : f.ggufs()) {
            assertEquals(f.hf().vocabSize(), gguf.vocabSize(), name);
            for (int id = 0; id < gguf.vocabSize(); id++) {
                try {
                    f.hf().tokenPiece(id);
                } catch (IllegalArgumentException unusedId) {
                    continue;
                }
                assertArrayEquals(f.hf().tokenBytes(id), gguf.tokenBytes(id), name + " token " + id);
            }
        }
    }
}
