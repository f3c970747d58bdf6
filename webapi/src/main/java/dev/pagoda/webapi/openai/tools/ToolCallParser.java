package dev.pagoda.webapi.openai.tools;

/**
 * Reads tool calls out of a model's text, the whole text every time (outputs are short; reading from
 * the start keeps each parser a plain function of its input, and streaming a matter of differences,
 * see {@link ToolCallStream}).
 */
interface ToolCallParser {

    /**
     * @param text     the model's output so far (after any reasoning block)
     * @param complete no more text will come
     */
    ParsedOutput parse(String text, boolean complete);

    /** The ids of the calls this parser reads: OpenAI's {@code call_...}, or Mistral's nine characters. */
    default ToolCallIds ids() {
        return ToolCallIds.OPENAI;
    }

    /** Plain text: no tool calls are looked for. */
    ToolCallParser NONE = (text, complete) -> ParsedOutput.content(text);
}
