package dev.pagoda.webapi.openai.tools;

/**
 * A tool call as far as the model has written it: only calls whose name is complete are reported,
 * since OpenAI's stream sends the name whole in a call's first chunk.
 *
 * @param name      the function's name
 * @param arguments the arguments JSON text so far; it only ever grows, and is final once {@code complete}
 * @param complete  the call is written to its end
 */
record PartialCall(String name, String arguments, boolean complete) {}
