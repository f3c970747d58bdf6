package dev.pagoda.webapi.openai.reasoning;

/**
 * A {@code <think>...</think>} block ahead of the answer, as vLLM's {@code qwen3} and
 * {@code deepseek_r1} parsers read it: an opening {@code <think>} at the start is dropped (newer
 * templates put it in the prompt, so the model often writes only the closing tag); everything up to
 * {@code </think>} is reasoning and the rest the answer. Output that never closes the block was cut
 * short while thinking, so it is all reasoning.
 */
final class ThinkBlockParser implements ReasoningParser {

    static final String START = "<think>";
    static final String END = "</think>";

    @Override
    public ReasoningSplit split(String text, boolean complete) {
        int from = 0;
        while (from < text.length() && Character.isWhitespace(text.charAt(from))) from++;
        if (text.startsWith(START, from)) {
            from += START.length();
        } else if (!complete && START.startsWith(text.substring(from))) {
            return new ReasoningSplit("", null); // "<thi" may still become the opening tag
        } else {
            from = 0;
        }
        int end = text.indexOf(END, from);
        if (end >= 0) return new ReasoningSplit(text.substring(from, end), text.substring(end + END.length()));
        return new ReasoningSplit(PartialMarker.safePrefix(text.substring(from), END, complete), null);
    }
}
