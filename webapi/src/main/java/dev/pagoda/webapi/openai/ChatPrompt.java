package dev.pagoda.webapi.openai;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pagoda.catalog.chat.ChatContext;
import dev.pagoda.catalog.chat.ChatTemplate;
import dev.pagoda.catalog.chat.ChatTemplates;
import dev.pagoda.webapi.openai.tools.ToolMessages;
import dev.pagoda.webapi.openai.tools.ToolRequest;
import dev.pagoda.webapi.server.ApiException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code messages} rendered with the model's chat template and tokenized, as vLLM does it: the
 * template writes BOS itself, so the text is tokenized without adding special tokens again.
 *
 * @param text the rendered prompt
 * @param ids  its tokens
 */
record ChatPrompt(String text, int[] ids) {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    /** @param toolRequest the request's tools, which the template shows the model */
    static ChatPrompt read(Fields f, ServedModel model, boolean defaultAddSpecialTokens, ToolRequest toolRequest) {
        List<Map<String, Object>> messages = messages(f);
        boolean addGenerationPrompt = f.bool("add_generation_prompt").orElse(true);
        boolean continueFinal = f.bool("continue_final_message").orElse(false);
        if (continueFinal && addGenerationPrompt) {
            throw ApiException.invalidValue("continue_final_message",
                    "Cannot set both `continue_final_message` and `add_generation_prompt` to True.");
        }
        Map<String, Object> kwargs = templateKwargs(f);
        List<Map<String, Object>> tools = toolRequest.templateTools();
        ChatTemplates templates = model.chatTemplates();
        ChatTemplate template = templates.forRequest(tools != null);
        ChatContext context = new ChatContext(messages, addGenerationPrompt, tools, templates.bosToken(),
                templates.eosToken(), kwargs);
        String text = template.render(context);
        if (continueFinal) text = continuingFinalMessage(text, messages.getLast());
        boolean addSpecial = f.bool("add_special_tokens").orElse(defaultAddSpecialTokens);
        int[] ids = model.tokenizer("messages").encode(text, addSpecial);
        model.checkPromptLength("messages", ids.length);
        return new ChatPrompt(text, ids);
    }

    /** {@code chat_template_kwargs}: extra template variables, such as Qwen3's {@code enable_thinking}. */
    static Map<String, Object> templateKwargs(Fields f) {
        return f.object("chat_template_kwargs").map(o -> MAPPER.convertValue(o, MAP)).orElse(Map.of());
    }

    /**
     * transformers' {@code continue_final_message}, which vLLM uses: the conversation rendered without a
     * generation prompt, cut right after the final message's (stripped) content, so the template's
     * end-of-turn after it is gone and the model continues that message.
     */
    static String continuingFinalMessage(String rendered, Map<String, Object> finalMessage) {
        Object content = finalMessage.get("content");
        String text = content == null ? "" : content.toString().strip();
        int at = rendered.lastIndexOf(text);
        if (at < 0) {
            throw ApiException.invalidValue("continue_final_message", "continue_final_message is set but the final message "
                    + "does not appear in the chat after applying the chat template.");
        }
        return rendered.substring(0, at + text.length());
    }

    private static List<Map<String, Object>> messages(Fields f) {
        JsonNode node = f.node("messages").orElseThrow(() -> ApiException.missing("messages"));
        if (!node.isArray()) throw ApiException.invalidType("messages", "an array", Fields.describe(node));
        if (node.isEmpty()) {
            throw ApiException.invalidValue("messages", "Invalid 'messages': empty array. Expected an array with minimum length 1.");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String param = "messages[" + i + "]";
            if (!(node.get(i) instanceof ObjectNode m)) throw ApiException.invalidType(param, "an object", Fields.describe(node.get(i)));
            Fields mf = new Fields(m);
            String role = mf.string("role").orElseThrow(() -> ApiException.missing(param + ".role"));
            Map<String, Object> message = new LinkedHashMap<>(MAPPER.convertValue(m, MAP));
            message.put("role", role);
            message.put("content", content(param + ".content", m.get("content")));
            ToolMessages.prepare(param, role, m, message);
            out.add(message);
        }
        return out;
    }

    /**
     * A string stays a string; a list of text parts becomes their texts joined by newlines, as vLLM
     * does for templates that expect string content (all common ones); no content (an assistant's
     * tool-call turn) is "", as there. Other part types (images, audio) are refused: no model here
     * can see them.
     */
    private static String content(String param, JsonNode content) {
        if (content == null || content.isNull()) return "";
        if (content.isTextual()) return content.textValue();
        if (!content.isArray()) throw ApiException.invalidType(param, "a string or an array of content parts", Fields.describe(content));
        List<String> texts = new ArrayList<>();
        for (JsonNode part : content) {
            JsonNode type = part.get("type");
            JsonNode text = part.get("text");
            if (type == null || !"text".equals(type.asText()) || text == null || !text.isTextual()) {
                throw ApiException.invalidValue(param, "Only text content parts ({\"type\": \"text\", \"text\": ...}) are supported.");
            }
            texts.add(text.textValue());
        }
        return String.join("\n", texts);
    }
}
