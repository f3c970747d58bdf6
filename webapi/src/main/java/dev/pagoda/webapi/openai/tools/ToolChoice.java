package dev.pagoda.webapi.openai.tools;

/** OpenAI's {@code tool_choice}. */
public sealed interface ToolChoice {

    /** The model answers in text; tools are still shown to it, as vLLM and OpenAI do. */
    record None() implements ToolChoice {}

    /** The model may call tools in its own format; the server's tool-call parser finds the calls. */
    record Auto() implements ToolChoice {}

    /** At least one call, enforced by the grammar. */
    record Required() implements ToolChoice {}

    /** Exactly one call of this function, enforced by the grammar. */
    record Named(String name) implements ToolChoice {}
}
