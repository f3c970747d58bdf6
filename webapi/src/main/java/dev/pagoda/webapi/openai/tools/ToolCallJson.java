package dev.pagoda.webapi.openai.tools;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A finished call in a message's {@code tool_calls}, key for key as OpenAI sends it. */
public record ToolCallJson(String id, String type, Function function) {

    public static final String FUNCTION = "function";

    /** @param arguments the arguments JSON as text, as OpenAI sends them */
    public record Function(String name, String arguments) {}

    static ToolCallJson of(String id, String name, String arguments) {
        return new ToolCallJson(id, FUNCTION, new Function(name, arguments));
    }

    /**
     * A piece of a streamed call in {@code delta.tool_calls}: the first names the call ({@code id},
     * {@code type}, {@code function.name}), later ones add {@code function.arguments} text.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Delta(int index, String id, String type, FunctionDelta function) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FunctionDelta(String name, String arguments) {}
}
