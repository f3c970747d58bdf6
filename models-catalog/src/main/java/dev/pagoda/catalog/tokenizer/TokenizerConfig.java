package dev.pagoda.catalog.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.catalog.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * What tokenizer_config.json says about special tokens, BOS/EOS insertion and chat templates.
 *
 * @param chatTemplates templates by name; a single {@code chat_template} string is stored as "default"
 * @param modelMaxLength absent where the file has none or HF's "no limit" sentinel (1e30)
 * @param addedTokensDecoder {@code added_tokens_decoder} by id
 */
public record TokenizerConfig(
        Optional<String> bosToken,
        Optional<String> eosToken,
        Optional<String> padToken,
        Optional<String> unkToken,
        Optional<Boolean> addBosToken,
        Optional<Boolean> addEosToken,
        Map<String, String> chatTemplates,
        OptionalLong modelMaxLength,
        Map<Integer, AddedToken> addedTokensDecoder) {

    public static final String DEFAULT_TEMPLATE = "default";

    /** HF writes int(1e30) for "no limit"; anything this large is not a real context length. */
    private static final double NO_LIMIT = 1e18;

    public TokenizerConfig {
        chatTemplates = Collections.unmodifiableMap(new LinkedHashMap<>(chatTemplates));
        addedTokensDecoder = Collections.unmodifiableMap(new TreeMap<>(addedTokensDecoder));
    }

    /** A config with nothing set: what a model folder without tokenizer_config.json gets. */
    public static TokenizerConfig empty() {
        return new TokenizerConfig(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Map.of(), OptionalLong.empty(), Map.of());
    }

    /** The template HF uses when none is named. */
    public Optional<String> chatTemplate() {
        return Optional.ofNullable(chatTemplates.get(DEFAULT_TEMPLATE));
    }

    public static TokenizerConfig read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read tokenizer config: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new ModelFormatException(file, "tokenizer config is not a JSON object");
        return parse(root, file);
    }

    static TokenizerConfig parse(JsonNode root, Path file) {
        return new TokenizerConfig(
                tokenContent(root, "bos_token", file),
                tokenContent(root, "eos_token", file),
                tokenContent(root, "pad_token", file),
                tokenContent(root, "unk_token", file),
                bool(root, "add_bos_token", file),
                bool(root, "add_eos_token", file),
                chatTemplates(root.get("chat_template"), file),
                maxLength(root.get("model_max_length"), file),
                addedTokens(root.get("added_tokens_decoder"), file));
    }

    /** A special token is written either as its string or as {@code {"content": ...}}. */
    private static Optional<String> tokenContent(JsonNode root, String field, Path file) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) return Optional.empty();
        if (n.isTextual()) return Optional.of(n.asText());
        if (n.isObject() && n.path("content").isTextual()) return Optional.of(n.get("content").asText());
        throw new ModelFormatException(file, field + " must be a string or an object with \"content\", found " + n);
    }

    private static Optional<Boolean> bool(JsonNode root, String field, Path file) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) return Optional.empty();
        if (!n.isBoolean()) throw new ModelFormatException(file, field + " must be true or false, found " + n);
        return Optional.of(n.asBoolean());
    }

    private static Map<String, String> chatTemplates(JsonNode n, Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        if (n == null || n.isNull()) return out;
        if (n.isTextual()) {
            out.put(DEFAULT_TEMPLATE, n.asText());
        } else if (n.isArray()) {
            for (JsonNode t : n) {
                if (!t.path("name").isTextual() || !t.path("template").isTextual()) {
                    throw new ModelFormatException(file, "chat_template list entries need string \"name\" and \"template\", found " + t);
                }
                out.put(t.get("name").asText(), t.get("template").asText());
            }
        } else {
            throw new ModelFormatException(file, "chat_template must be a string or a list of {name, template}, found " + n.getNodeType());
        }
        return out;
    }

    private static OptionalLong maxLength(JsonNode n, Path file) {
        if (n == null || n.isNull()) return OptionalLong.empty();
        if (!n.isNumber()) throw new ModelFormatException(file, "model_max_length must be a number, found " + n);
        double v = n.asDouble();
        if (v >= NO_LIMIT) return OptionalLong.empty();
        if (v < 1) throw new ModelFormatException(file, "model_max_length must be positive, found " + n);
        return OptionalLong.of((long) v);
    }

    private static Map<Integer, AddedToken> addedTokens(JsonNode n, Path file) {
        Map<Integer, AddedToken> out = new TreeMap<>();
        if (n == null || n.isNull()) return out;
        if (!n.isObject()) throw new ModelFormatException(file, "added_tokens_decoder must be an object keyed by id");
        for (var e : n.properties()) {
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException ex) {
                throw new ModelFormatException(file, "added_tokens_decoder key is not an id: " + e.getKey());
            }
            if (id < 0) throw new ModelFormatException(file, "added_tokens_decoder id is negative: " + id);
            out.put(id, addedToken(id, e.getValue(), file));
        }
        return out;
    }

    /** One {@code {content, special, lstrip, ...}} object, as in both tokenizer files. */
    static AddedToken addedToken(int id, JsonNode t, Path file) {
        if (!t.path("content").isTextual()) {
            throw new ModelFormatException(file, "added token " + id + " has no string \"content\"");
        }
        return new AddedToken(id, t.get("content").asText(), t.path("special").asBoolean(false),
                t.path("lstrip").asBoolean(false), t.path("rstrip").asBoolean(false),
                t.path("normalized").asBoolean(false), t.path("single_word").asBoolean(false));
    }
}
