// Plain and streaming chat and completions through three real OpenAI clients. Every HTTP request
// the clients send is recorded (through their fetch hook) with what they made of the answer, so the
// Java test can replay each request itself and compare. Input (stdin): {baseURL, apiKey, model}.
import OpenAI from 'openai';
import { ChatOpenAI, OpenAI as LangChainOpenAI } from '@langchain/openai';
import { generateText, streamText } from 'ai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';

const input = JSON.parse(await new Promise(resolve => {
  let s = '';
  process.stdin.on('data', d => (s += d));
  process.stdin.on('end', () => resolve(s));
}));
const { baseURL, apiKey, model } = input;
const calls = [];
let current = null;

// Records what each client sent: the JSON body and the Accept header.
const recordingFetch = async (url, init = {}) => {
  const headers = new Headers(init.headers || {});
  current.requests.push({ url: String(url), accept: headers.get('accept'), body: JSON.parse(init.body) });
  return fetch(url, init);
};

// Joins a stream's text pieces; chunks counts them.
async function joined(pieces, textOf = p => p) {
  let text = '', chunks = 0;
  for await (const p of pieces) {
    chunks++;
    text += textOf(p);
  }
  return { text, chunks };
}

async function call(client, kind, run) {
  current = { client, kind, requests: [] };
  const result = await run();
  calls.push({ ...current, ...result });
}

const messages = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Name three colours.' },
];
const prompt = 'Once upon a time, in a land';

// The official SDK: extra vLLM fields go straight into the body.
const sdk = new OpenAI({ baseURL, apiKey, maxRetries: 0, fetch: recordingFetch });
const sdkParams = { model, temperature: 0, max_tokens: 8, ignore_eos: true };
await call('openai', 'chat', async () => {
  const r = await sdk.chat.completions.create({ ...sdkParams, messages });
  return { text: r.choices[0].message.content, promptTokens: r.usage.prompt_tokens, completionTokens: r.usage.completion_tokens };
});
await call('openai', 'chat-stream', async () => {
  let text = '', chunks = 0, usage = null;
  const stream = await sdk.chat.completions.create({ ...sdkParams, messages, stream: true, stream_options: { include_usage: true } });
  for await (const c of stream) {
    chunks++;
    text += c.choices[0]?.delta?.content ?? '';
    if (c.usage) usage = c.usage;
  }
  return { text, chunks, promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens };
});
await call('openai', 'completion', async () => {
  const r = await sdk.completions.create({ ...sdkParams, prompt });
  return { text: r.choices[0].text, promptTokens: r.usage.prompt_tokens, completionTokens: r.usage.completion_tokens };
});
await call('openai', 'completion-stream', async () =>
  joined(await sdk.completions.create({ ...sdkParams, prompt, stream: true }), c => c.choices[0]?.text ?? ''));

// LangChain JS: its OpenAI classes call the official SDK underneath.
const lcOptions = { model, temperature: 0, maxTokens: 8, apiKey, configuration: { baseURL, fetch: recordingFetch },
  modelKwargs: { ignore_eos: true }, maxRetries: 0 };
const lcChat = new ChatOpenAI(lcOptions);
const lcMessages = messages.map(m => [m.role, m.content]);
await call('langchain', 'chat', async () => {
  const r = await lcChat.invoke(lcMessages);
  return { text: r.content, promptTokens: r.usage_metadata?.input_tokens, completionTokens: r.usage_metadata?.output_tokens };
});
await call('langchain', 'chat-stream', async () => joined(await lcChat.stream(lcMessages), c => c.content));
const lcLlm = new LangChainOpenAI(lcOptions);
await call('langchain', 'completion', async () => ({ text: await lcLlm.invoke(prompt) }));
await call('langchain', 'completion-stream', async () => joined(await lcLlm.stream(prompt)));

// The Vercel AI SDK through its OpenAI-compatible provider; provider options reach the body.
const provider = createOpenAICompatible({ name: 'pagoda', baseURL, apiKey, fetch: recordingFetch, includeUsage: true });
const aiParams = { temperature: 0, maxOutputTokens: 8, maxRetries: 0, providerOptions: { pagoda: { ignore_eos: true } } };
await call('vercel', 'chat', async () => {
  const r = await generateText({ ...aiParams, model: provider.chatModel(model), messages });
  return { text: r.text, promptTokens: r.usage.inputTokens, completionTokens: r.usage.outputTokens };
});
await call('vercel', 'chat-stream', async () => {
  const r = streamText({ ...aiParams, model: provider.chatModel(model), messages });
  const streamed = await joined(r.textStream);
  const usage = await r.usage;
  return { ...streamed, promptTokens: usage.inputTokens, completionTokens: usage.outputTokens };
});
await call('vercel', 'completion', async () => {
  const r = await generateText({ ...aiParams, model: provider.completionModel(model), prompt });
  return { text: r.text, promptTokens: r.usage.inputTokens, completionTokens: r.usage.outputTokens };
});
await call('vercel', 'completion-stream', async () =>
  joined(streamText({ ...aiParams, model: provider.completionModel(model), prompt }).textStream));

process.stdout.write(JSON.stringify(calls));
