package dev.pagoda.webapi.openai.tools;

import java.util.List;

/**
 * The output of a named {@code tool_choice}: the grammar makes the model write that function's
 * arguments object and nothing else, so the whole output (without surrounding whitespace) is the
 * one call's arguments, as in vLLM. Its first chunk carries the name at once.
 */
final class NamedCallParser implements ToolCallParser {

    private final String name;

    NamedCallParser(String name) {
        this.name = name;
    }

    @Override
    public ParsedOutput parse(String text, boolean complete) {
        int from = Markup.skipSpace(text, 0);
        int to = text.length();
        // Trailing whitespace may be inside the arguments (more follows) or after them: hold it back.
        while (to > from && Markup.isSpace(text.charAt(to - 1))) to--;
        return new ParsedOutput("", List.of(new PartialCall(name, text.substring(from, to), complete)), false);
    }
}
