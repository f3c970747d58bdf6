package dev.pagoda.catalog.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerConfigTest {

    @TempDir
    Path dir;

    private Path write(String json) throws IOException {
        return Files.writeString(dir.resolve("tokenizer_config.json"), json);
    }

    @Test
    void readsTokensWrittenAsStringsOrObjectsAndNamedTemplates() throws IOException {
        TokenizerConfig c = TokenizerConfig.read(write("""
                {"bos_token": {"content": "<s>", "lstrip": false, "__type": "AddedToken"},
                 "eos_token": "</s>", "pad_token": null, "unk_token": "<unk>",
                 "add_bos_token": true, "add_eos_token": false, "model_max_length": 4096,
                 "chat_template": [{"name": "default", "template": "{{ messages }}"},
                                   {"name": "tool_use", "template": "{{ tools }}"}],
                 "added_tokens_decoder": {"2": {"content": "</s>", "special": true},
                                          "32000": {"content": "<think>", "special": false, "lstrip": true}}}
                """));
        assertEquals(Optional.of("<s>"), c.bosToken());
        assertEquals(Optional.of("</s>"), c.eosToken());
        assertEquals(Optional.empty(), c.padToken());
        assertEquals(Optional.of("<unk>"), c.unkToken());
        assertEquals(Optional.of(true), c.addBosToken());
        assertEquals(Optional.of(false), c.addEosToken());
        assertEquals(OptionalLong.of(4096), c.modelMaxLength());
        assertEquals(Map.of("default", "{{ messages }}", "tool_use", "{{ tools }}"), c.chatTemplates());
        assertEquals(Optional.of("{{ messages }}"), c.chatTemplate());
        assertEquals(List.of(2, 32000), List.copyOf(c.addedTokensDecoder().keySet()));
        assertEquals(new AddedToken(32000, "<think>", false, true, false, false, false), c.addedTokensDecoder().get(32000));
    }

    @Test
    void treatsHfNoLimitSentinelAsNoMaxLengthAndAPlainTemplateAsDefault() throws IOException {
        TokenizerConfig c = TokenizerConfig.read(write("""
                {"model_max_length": 1000000000000000019884624838656, "chat_template": "{{ bos_token }}"}
                """));
        assertEquals(OptionalLong.empty(), c.modelMaxLength());
        assertEquals(Optional.of("{{ bos_token }}"), c.chatTemplate());
        assertEquals(Optional.empty(), c.addBosToken());
    }

    @Test
    void badValuesNameTheFileAndTheField() throws IOException {
        for (String bad : List.of("{\"bos_token\": 5}", "{\"add_bos_token\": \"yes\"}", "{\"chat_template\": 3}",
                "{\"chat_template\": [{\"name\": \"x\"}]}", "{\"added_tokens_decoder\": {\"x\": {\"content\": \"a\"}}}",
                "{\"model_max_length\": \"big\"}", "[1, 2]", "{\"bos_token\": ")) {
            Path file = write(bad);
            var e = assertThrows(ModelFormatException.class, () -> TokenizerConfig.read(file), bad);
            assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
            assertEquals(file, e.file());
        }
    }
}
