/**
 * {@code --reasoning-parser}: a reasoning model's thinking ({@code <think>...</think>}) comes back
 * as {@code reasoning_content} (streamed as {@code delta.reasoning_content}), apart from the
 * answer, which then goes on to the tool-call parser.
 */
package dev.pagoda.webapi.openai.reasoning;
