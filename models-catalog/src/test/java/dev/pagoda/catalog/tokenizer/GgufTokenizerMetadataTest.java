package dev.pagoda.catalog.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pagoda.catalog.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conversion of a GPT-2 style tokenizer.json whose post-processor adds BOS and EOS (as Meta's
 * Llama-3 file does): the metadata llama.cpp's converter would write, and a GGUF tokenizer from it
 * that adds the same tokens as the HF library running the original file.
 */
class GgufTokenizerMetadataTest {

    @TempDir
    Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** All 256 byte tokens, a few merges, BOS/EOS added tokens and a TemplateProcessing [BOS, A, EOS]. */
    private Path writeByteLevelTokenizer() throws IOException {
        ObjectNode vocab = JSON.createObjectNode();
        for (int b = 0; b < 256; b++) vocab.put(String.valueOf(ByteLevelAlphabet.charOf((byte) b)), b);
        List<String> merges = List.of("h e", "l l", "he ll", "hell o", "Ġ w", "o r", "Ġw or", "Ġwor l", "Ġworl d", "1 2");
        int next = 256;
        for (String m : merges) vocab.put(m.replace(" ", ""), next++);
        ObjectNode root = JSON.createObjectNode();
        ArrayNode added = root.putArray("added_tokens");
        for (String special : List.of("<|bos|>", "<|eos|>")) {
            added.addObject().put("id", next++).put("content", special).put("special", true).put("normalized", false)
                    .put("single_word", false).put("lstrip", false).put("rstrip", false);
        }
        root.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true).put("use_regex", true);
        root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true).put("use_regex", true);
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", "<|bos|>").put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        single.addObject().putObject("SpecialToken").put("id", "<|eos|>").put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addAll(single.deepCopy());
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode specials = post.putObject("special_tokens");
        for (String special : List.of("<|bos|>", "<|eos|>")) {
            ObjectNode entry = specials.putObject(special).put("id", special);
            entry.putArray("ids").add(special.equals("<|bos|>") ? 266 : 267);
            entry.putArray("tokens").add(special);
        }
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE").put("byte_fallback", false).putNull("unk_token");
        model.set("vocab", vocab);
        ArrayNode m = model.putArray("merges");
        merges.forEach(m::add);
        return Files.writeString(dir.resolve("tokenizer.json"), JSON.writeValueAsString(root));
    }

    @Test
    void convertsAsLlamaCppAndAddsWhatTheHfPostProcessorAdds() throws IOException {
        Path json = writeByteLevelTokenizer();
        TokenizerConfig config = new TokenizerConfig(Optional.of("<|bos|>"), Optional.of("<|eos|>"), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Map.of("default", "{{ x }}"), java.util.OptionalLong.empty(), Map.of());
        Map<String, Object> meta = GgufTokenizerMetadata.fromHfTokenizerJson(json, config);
        assertEquals("gpt2", meta.get("tokenizer.ggml.model"));
        assertEquals("gpt-2", meta.get("tokenizer.ggml.pre"));
        assertEquals(266L, meta.get("tokenizer.ggml.bos_token_id"));
        assertEquals(267L, meta.get("tokenizer.ggml.eos_token_id"));
        assertEquals(true, meta.get("tokenizer.ggml.add_bos_token"));
        assertEquals(true, meta.get("tokenizer.ggml.add_eos_token"));
        assertEquals("{{ x }}", meta.get("tokenizer.chat_template"));
        assertEquals("he ll", ((List<?>) meta.get("tokenizer.ggml.merges")).get(2));
        assertEquals(List.of(1L, 3L, 3L), List.of(((List<?>) meta.get("tokenizer.ggml.token_type")).get(0),
                ((List<?>) meta.get("tokenizer.ggml.token_type")).get(266), ((List<?>) meta.get("tokenizer.ggml.token_type")).get(267)));

        GgufTokenizer gguf = GgufTokenizer.fromMetadata(meta, json);
        try (HfTokenizer hf = HfTokenizer.load(json, config)) {
            for (String text : List.of("hello world", "hello<|eos|> world 123", "", "  héllo\n\nworld!!", "12121")) {
                assertArrayEquals(hf.encode(text, true), gguf.encode(text, true), text);
                assertArrayEquals(hf.encode(text, false), gguf.encode(text, false), text);
                int[] ids = hf.encode(text, true);
                assertEquals(hf.decode(ids, true), gguf.decode(ids, true), text);
            }
            assertArrayEquals(new int[] {266, 259, 264, 267}, gguf.encode("hello world", true), "hello = he·ll·o merged, ' world' = Ġw·or·l·d merged");
        }
    }

    @Test
    void configAddBosTokenWinsOverThePostProcessorAsInTheConverter() throws IOException {
        Path json = writeByteLevelTokenizer();
        TokenizerConfig config = new TokenizerConfig(Optional.of("<|bos|>"), Optional.of("<|eos|>"), Optional.empty(),
                Optional.empty(), Optional.of(false), Optional.empty(), Map.of(), java.util.OptionalLong.empty(), Map.of());
        Map<String, Object> meta = GgufTokenizerMetadata.fromHfTokenizerJson(json, config);
        assertEquals(false, meta.get("tokenizer.ggml.add_bos_token"));
        assertArrayEquals(new int[] {259, 267}, GgufTokenizer.fromMetadata(meta, json).encode("hello", true));
    }

    @Test
    void unsupportedTokenizersAreRefusedByName() throws IOException {
        Path wordPiece = Files.writeString(dir.resolve("wp.json"), """
                {"model": {"type": "WordPiece", "vocab": {"a": 0}}}""");
        var e = assertThrows(ModelFormatException.class, () -> GgufTokenizerMetadata.fromHfTokenizerJson(wordPiece, TokenizerConfig.empty()));
        assertTrue(e.getMessage().contains("WordPiece"), e.getMessage());
        Path lowercase = Files.writeString(dir.resolve("lc.json"), """
                {"normalizer": {"type": "Lowercase"}, "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}}""");
        var e3 = assertThrows(ModelFormatException.class, () -> GgufTokenizerMetadata.fromHfTokenizerJson(lowercase, TokenizerConfig.empty()));
        assertTrue(e3.getMessage().contains("Lowercase normalizer"), e3.getMessage());
        Path noBos = writeByteLevelTokenizer();
        TokenizerConfig missing = new TokenizerConfig(Optional.of("<s>"), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Map.of(), java.util.OptionalLong.empty(), Map.of());
        var e2 = assertThrows(ModelFormatException.class, () -> GgufTokenizerMetadata.fromHfTokenizerJson(noBos, missing));
        assertTrue(e2.getMessage().contains("\"<s>\" is not in the vocabulary"), e2.getMessage());
    }
}
