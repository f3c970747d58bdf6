package dev.pagoda.webapi.openai.tools;

import java.util.List;
import java.util.Set;

/** The {@code --tool-call-parser} names Pagoda knows, vLLM's names. */
public final class ToolCallParsers {

    public static final String HERMES = "hermes";
    public static final String LLAMA3_JSON = "llama3_json";
    public static final String MISTRAL = "mistral";
    public static final List<String> NAMES = List.of(HERMES, LLAMA3_JSON, MISTRAL);

    private ToolCallParsers() {}

    /** @param toolNames the request's function names (llama3_json tells calls from plain JSON by them) */
    static ToolCallParser create(String name, Set<String> toolNames) {
        return switch (name) {
            case HERMES -> new HermesToolParser();
            case LLAMA3_JSON -> new Llama3JsonToolParser(toolNames);
            case MISTRAL -> new MistralToolParser();
            default -> throw new IllegalArgumentException(unknown(name));
        };
    }

    /**
     * Whether the format's markers may be special tokens, which detokenizing must then keep, as vLLM's
     * {@code adjust_request} arranges: Mistral's {@code [TOOL_CALLS]} always is, and some Hermes-format
     * models mark {@code <tool_call>} special. Llama's {@code <|python_tag|>} is special but optional.
     */
    static boolean keepsSpecialTokens(String name) {
        return MISTRAL.equals(name) || HERMES.equals(name);
    }

    /** Null when {@code name} is known, else the one-line complaint. */
    static String check(String name) {
        return NAMES.contains(name) ? null : unknown(name);
    }

    private static String unknown(String name) {
        return "--tool-call-parser '" + name + "' is not one of: " + String.join(", ", NAMES);
    }
}
