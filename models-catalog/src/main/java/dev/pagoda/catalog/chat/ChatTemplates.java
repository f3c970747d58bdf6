package dev.pagoda.catalog.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.catalog.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The chat templates of one model, as {@code tokenizer_config.json} declares them: a single
 * {@code chat_template} string (named "default"), or a list of {@code {name, template}} where
 * "tool_use" serves requests that carry tools. Also the BOS/EOS texts the templates refer to.
 *
 * @param templates by name, in file order
 * @param bosToken {@code bos_token} of the config, or null
 * @param eosToken {@code eos_token} of the config, or null
 */
public record ChatTemplates(Map<String, ChatTemplate> templates, String bosToken, String eosToken) {

    public static final String DEFAULT = "default";
    public static final String TOOL_USE = "tool_use";

    public ChatTemplates {
        templates = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(templates)); // keeps file order
    }

    /** Reads every template of a {@code tokenizer_config.json}. */
    public static ChatTemplates fromTokenizerConfig(Path tokenizerConfigJson) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(tokenizerConfigJson.toFile());
        } catch (IOException e) {
            throw new ModelFormatException(tokenizerConfigJson, "cannot read tokenizer config: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new ModelFormatException(tokenizerConfigJson, "not a JSON object");
        JsonNode chat = root.get("chat_template");
        var templates = new LinkedHashMap<String, ChatTemplate>();
        if (chat == null || chat.isNull()) {
            throw new ModelFormatException(tokenizerConfigJson, "has no chat_template");
        } else if (chat.isTextual()) {
            templates.put(DEFAULT, compile(tokenizerConfigJson, DEFAULT, chat.textValue()));
        } else if (chat.isArray()) {
            for (JsonNode entry : chat) {
                JsonNode name = entry.get("name"), template = entry.get("template");
                if (name == null || !name.isTextual() || template == null || !template.isTextual()) {
                    throw new ModelFormatException(tokenizerConfigJson, "chat_template list entries need string 'name' and 'template'");
                }
                templates.put(name.textValue(), compile(tokenizerConfigJson, name.textValue(), template.textValue()));
            }
        } else {
            throw new ModelFormatException(tokenizerConfigJson, "chat_template must be a string or a list of {name, template}");
        }
        return new ChatTemplates(templates, tokenText(root.get("bos_token")), tokenText(root.get("eos_token")));
    }

    /**
     * One named template of a {@code tokenizer_config.json}; {@code name} null means "default".
     *
     * @throws ModelFormatException naming the file when there is no template by that name
     */
    public static ChatTemplate fromTokenizerConfig(Path tokenizerConfigJson, String name) {
        ChatTemplates all = fromTokenizerConfig(tokenizerConfigJson);
        String wanted = name == null ? DEFAULT : name;
        ChatTemplate t = all.templates.get(wanted);
        if (t == null) {
            throw new ModelFormatException(tokenizerConfigJson, "has no chat template named '" + wanted + "' (it has " + all.names() + ")");
        }
        return t;
    }

    /** A template given as text: GGUF's {@code tokenizer.chat_template} or a {@code --chat-template} value. */
    public static ChatTemplate fromString(String source) {
        return ChatTemplate.compile(source);
    }

    /** A template file, e.g. {@code --chat-template my.jinja} or a model's {@code chat_template.jinja}. */
    public static ChatTemplate fromFile(Path file) {
        String source;
        try {
            source = Files.readString(file);
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read chat template: " + e.getMessage(), e);
        }
        return compile(file, file.getFileName().toString(), source);
    }

    public Set<String> names() {
        return templates.keySet();
    }

    /** The template for a request: "tool_use" when it carries tools and the model has one, else "default". */
    public ChatTemplate forRequest(boolean hasTools) {
        if (hasTools && templates.containsKey(TOOL_USE)) return templates.get(TOOL_USE);
        ChatTemplate t = templates.get(DEFAULT);
        if (t == null) throw new IllegalStateException("no 'default' chat template among " + names());
        return t;
    }

    private static ChatTemplate compile(Path file, String name, String source) {
        try {
            return ChatTemplate.compile(source);
        } catch (ChatTemplateException e) {
            throw new ModelFormatException(file, "chat template '" + name + "': " + e.getMessage(), e);
        }
    }

    /** {@code "bos_token": "<s>"} or the older {@code {"content": "<s>", ...}} form. */
    private static String tokenText(JsonNode n) {
        if (n == null || n.isNull()) return null;
        if (n.isTextual()) return n.textValue();
        JsonNode content = n.get("content");
        return content != null && content.isTextual() ? content.textValue() : null;
    }
}
