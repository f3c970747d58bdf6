package dev.pagoda.webapi.openai.reasoning;

import java.util.List;
import java.util.Map;

/** The {@code --reasoning-parser} names Pagoda knows, vLLM's names. */
public final class ReasoningParsers {

    public static final String QWEN3 = "qwen3";
    public static final String DEEPSEEK_R1 = "deepseek_r1";
    public static final List<String> NAMES = List.of(DEEPSEEK_R1, QWEN3);

    private ReasoningParsers() {}

    /**
     * The parser for one request. Qwen3's {@code enable_thinking: false} (a chat template
     * variable) makes the template close an empty think block in the prompt itself, so the output
     * is all answer, as vLLM treats it.
     *
     * @param templateKwargs the request's {@code chat_template_kwargs}
     * @throws IllegalArgumentException for a name not in {@link #NAMES}
     */
    public static ReasoningParser forRequest(String name, Map<String, Object> templateKwargs) {
        return switch (name) {
            case QWEN3 -> Boolean.FALSE.equals(templateKwargs.get("enable_thinking")) ? ReasoningParser.NONE : new ThinkBlockParser();
            case DEEPSEEK_R1 -> new ThinkBlockParser();
            default -> throw new IllegalArgumentException(unknown(name));
        };
    }

    /** Null when {@code name} is known, else the one-line complaint. */
    public static String check(String name) {
        return NAMES.contains(name) ? null : unknown(name);
    }

    private static String unknown(String name) {
        return "--reasoning-parser '" + name + "' is not one of: " + String.join(", ", NAMES);
    }
}
