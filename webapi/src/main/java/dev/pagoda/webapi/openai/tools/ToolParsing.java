package dev.pagoda.webapi.openai.tools;

import dev.pagoda.webapi.openai.reasoning.ReasoningParsers;
import java.util.Optional;

/**
 * The server's tool-call and reasoning settings, vLLM's flags: {@code --enable-auto-tool-choice},
 * {@code --tool-call-parser NAME}, {@code --reasoning-parser NAME}. {@code tool_choice: "auto"} needs
 * the first two, as in vLLM; {@code required} and named choices need neither (the grammar enforces
 * them).
 *
 * @throws IllegalArgumentException (one line, naming the flag) for an unknown parser, or auto tool
 *     choice without a parser
 */
public record ToolParsing(boolean autoToolChoice, Optional<String> toolCallParser, Optional<String> reasoningParser) {

    public static final ToolParsing NONE = new ToolParsing(false, Optional.empty(), Optional.empty());

    public ToolParsing {
        toolCallParser.map(ToolCallParsers::check).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        reasoningParser.map(ReasoningParsers::check).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        if (autoToolChoice && toolCallParser.isEmpty()) {
            throw new IllegalArgumentException("--enable-auto-tool-choice requires --tool-call-parser (one of: "
                    + String.join(", ", ToolCallParsers.NAMES) + ")");
        }
    }

    /** Auto tool choice parsed with {@code parser}. */
    public static ToolParsing autoTools(String parser) {
        return new ToolParsing(true, Optional.of(parser), Optional.empty());
    }

    public ToolParsing withReasoningParser(String parser) {
        return new ToolParsing(autoToolChoice, toolCallParser, Optional.ofNullable(parser));
    }
}
