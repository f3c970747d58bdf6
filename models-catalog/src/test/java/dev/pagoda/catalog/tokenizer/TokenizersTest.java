package dev.pagoda.catalog.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading a model folder's tokenizer through the HF library, on a tiny hand-written tokenizer.json. */
class TokenizersTest {

    @TempDir
    Path dir;

    /** A word-level-free byte-level BPE over "a", "b", "ab", "Ġ" with one special token, small enough to check by hand. */
    private static final String TINY = """
            {"version": "1.0", "truncation": null, "padding": null,
             "added_tokens": [{"id": 5, "content": "<|end|>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
             "normalizer": null,
             "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
             "post_processor": null,
             "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
             "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
                       "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false,
                       "vocab": {"a": 0, "b": 1, "ab": 2, "Ġ": 3, "Ġab": 4}, "merges": ["a b", "Ġ ab"]}}
            """;

    @Test
    void loadsAFolderAndTokenizesAsTheMergesSay() throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), TINY);
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"<|end|>\"}");
        try (HfTokenizer tok = Tokenizers.load(dir)) {
            // "ab ab" -> words "ab", " ab" -> merges a+b, then Ġ+ab
            assertArrayEquals(new int[] {2, 4, 5}, tok.encode("ab ab<|end|>", true));
            assertEquals("ab ab<|end|>", tok.decode(new int[] {2, 4, 5}, false));
            assertEquals("ab ab", tok.decode(new int[] {2, 4, 5}, true));
            assertEquals(List.of(5), tok.eosTokenIds());
            assertEquals(OptionalInt.empty(), tok.bosTokenId());
            assertEquals(6, tok.vocabSize());
            assertTrue(tok.isSpecial(5));
            assertEquals("Ġab", tok.tokenPiece(4));
            assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {6}, false));
        }
    }

    @Test
    void longInputIsNeitherTruncatedNorPadded() throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), TINY);
        try (HfTokenizer tok = Tokenizers.load(dir)) {
            assertEquals(1 + 999 + 1, tok.encode("ab" + " ab".repeat(999) + " ", false).length);
        }
    }

    @Test
    void missingOrCorruptFilesGiveOneClearError() throws IOException {
        var noFolder = assertThrows(ModelFormatException.class, () -> Tokenizers.load(dir.resolve("nope")));
        assertTrue(noFolder.getMessage().contains("does not exist"), noFolder.getMessage());

        var noJson = assertThrows(ModelFormatException.class, () -> Tokenizers.load(dir));
        assertEquals(dir.resolve("tokenizer.json"), noJson.file());

        Files.writeString(dir.resolve("tokenizer.json"), TINY.substring(0, TINY.length() / 2));
        var truncated = assertThrows(ModelFormatException.class, () -> Tokenizers.load(dir));
        assertEquals(dir.resolve("tokenizer.json"), truncated.file());

        Files.writeString(dir.resolve("tokenizer.json"), TINY);
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\"}");
        var unknownBos = assertThrows(ModelFormatException.class, () -> Tokenizers.load(dir));
        assertTrue(unknownBos.getMessage().contains("bos_token \"<s>\""), unknownBos.getMessage());
    }
}
