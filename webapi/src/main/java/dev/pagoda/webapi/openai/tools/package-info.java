/**
 * Tool calling on {@code /v1/chat/completions}, as vLLM does it.
 *
 * <pre>
 * request:  tools, tool_choice, parallel_tool_calls ─► ToolRequest (OpenAI's 400s)
 *           messages' tool_calls / tool results     ─► ToolMessages (arguments JSON → mappings for the template)
 *           tool_choice required | named            ─► ToolSchemas ─► StructuredOutput.JsonSchema (the engine's grammar)
 *
 * output:   text ─► ReasoningParser (--reasoning-parser) ─► reasoning_content
 *                                    └─ content ─► ToolCallParser ─► content + tool_calls      (AssistantOutput.whole)
 *                                                  none:     plain text
 *                                                  auto:     hermes | llama3_json | mistral (--tool-call-parser)
 *                                                  required: RequiredCallsParser   named: NamedCallParser
 * stream:   every step the parsers read the whole text again; ToolCallStream sends what is new:
 *           delta.content, delta.reasoning_content, delta.tool_calls [{index, id, type, function{name}},
 *           then {index, function{arguments: piece}}]                                         (AssistantOutput.Stream)
 * </pre>
 *
 * <p>Why read the whole text each time: a parser is then a plain function of its input, and a stream
 * cannot drift from the whole answer. Each parser's reading only grows as the text grows (content
 * only gets longer, a call appears once its name is complete, its arguments only get longer), so the
 * pieces sent add up to the non-streamed message exactly ({@code ToolCallStreamingTest}). Arguments
 * go out as the model wrote them, not re-serialised, which is what makes piecewise sending exact;
 * {@link dev.pagoda.webapi.openai.tools.PartialJson} finds where a half-written JSON value stands.
 *
 * <p>Where a final text's markup is not a valid call (cut off by max_tokens, broken JSON), the
 * non-streamed answer is the whole text as content, as vLLM answers; a stream that already sent a
 * call's name cannot take it back.
 */
package dev.pagoda.webapi.openai.tools;
