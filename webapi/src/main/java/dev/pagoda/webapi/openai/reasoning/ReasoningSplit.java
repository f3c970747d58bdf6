package dev.pagoda.webapi.openai.reasoning;

/**
 * A model's output cut into its reasoning and its answer.
 *
 * @param reasoning the thinking text (without its tags) so far; "" when there is none
 * @param content   the text after the reasoning, or null while the reasoning has not ended
 */
public record ReasoningSplit(String reasoning, String content) {

    /** Output that is all answer: no reasoning parser, or thinking switched off. */
    public static ReasoningSplit answerOnly(String text) {
        return new ReasoningSplit("", text);
    }
}
