package dev.pagoda.webapi.openai.reasoning;

/**
 * Separates a reasoning model's thinking from its answer ({@code --reasoning-parser}). Like the
 * tool-call parsers it reads the whole output each time; read again after more text, the reasoning
 * and the content only grow, so a stream sends the differences.
 */
public interface ReasoningParser {

    /**
     * @param text     the model's output so far
     * @param complete no more text will come
     */
    ReasoningSplit split(String text, boolean complete);

    /** No reasoning: everything is the answer. */
    ReasoningParser NONE = (text, complete) -> ReasoningSplit.answerOnly(text);
}
