/**
 * OpenAI's routes ({@code /v1/models}, {@code /v1/completions}, {@code /v1/chat/completions}) and
 * vLLM's {@code /tokenize}/{@code /detokenize}: request fields read with OpenAI's type errors
 * ({@link dev.pagoda.webapi.openai.Fields}), vLLM's sampling parameters and defaults
 * ({@link dev.pagoda.webapi.openai.SamplingFields}), chat templates rendered and tokenized as vLLM does
 * ({@link dev.pagoda.webapi.openai.ChatPrompt}), responses and SSE chunks in OpenAI's exact shapes.
 */
package dev.pagoda.webapi.openai;
