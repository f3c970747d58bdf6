package dev.pagoda.catalog.chat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a chat template renders: the conversation and the variables transformers'
 * {@code apply_chat_template} passes along with it.
 *
 * @param messages each with {@code role} and {@code content} (a string or a list of parts such as
 *     {@code {"type": "text", "text": ...}}), and optionally {@code tool_calls}, {@code tool_call_id},
 *     {@code name}, {@code reasoning_content}
 * @param addGenerationPrompt whether to open an assistant turn at the end
 * @param tools JSON-schema function definitions, or null when the request has none
 * @param bosToken the tokenizer's BOS text, or null to leave {@code bos_token} undefined
 * @param eosToken the tokenizer's EOS text, or null to leave {@code eos_token} undefined
 * @param extraVariables further template variables ({@code chat_template_kwargs}, e.g. {@code enable_thinking})
 */
public record ChatContext(List<Map<String, Object>> messages, boolean addGenerationPrompt, List<Map<String, Object>> tools,
        String bosToken, String eosToken, Map<String, Object> extraVariables) {

    public ChatContext {
        if (messages == null) throw new IllegalArgumentException("messages must not be null");
        extraVariables = extraVariables == null ? Map.of() : extraVariables;
    }

    public static ChatContext of(List<Map<String, Object>> messages, boolean addGenerationPrompt) {
        return new ChatContext(messages, addGenerationPrompt, null, null, null, Map.of());
    }

    public ChatContext withTools(List<Map<String, Object>> newTools) {
        return new ChatContext(messages, addGenerationPrompt, newTools, bosToken, eosToken, extraVariables);
    }

    public ChatContext withSpecialTokens(String bos, String eos) {
        return new ChatContext(messages, addGenerationPrompt, tools, bos, eos, extraVariables);
    }

    public ChatContext withExtraVariables(Map<String, Object> extra) {
        return new ChatContext(messages, addGenerationPrompt, tools, bosToken, eosToken, extra);
    }

    /** The template variables, named as transformers names them; extra variables come last and win. */
    public Map<String, Object> variables() {
        var vars = new LinkedHashMap<String, Object>();
        vars.put("messages", messages);
        vars.put("add_generation_prompt", addGenerationPrompt);
        vars.put("tools", tools); // transformers passes tools=None when there are none
        if (bosToken != null) vars.put("bos_token", bosToken);
        if (eosToken != null) vars.put("eos_token", eosToken);
        vars.putAll(extraVariables);
        return vars;
    }
}
