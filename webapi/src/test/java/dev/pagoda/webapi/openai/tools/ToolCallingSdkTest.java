package dev.pagoda.webapi.openai.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.engine.api.GenerationRequest;
import dev.pagoda.engine.structured.StructuredOutput;
import dev.pagoda.webapi.server.PagodaServer;
import dev.pagoda.webapi.server.ServerOptions;
import dev.pagoda.webapi.testing.FakeEngine;
import dev.pagoda.webapi.testing.FixtureModel;
import dev.pagoda.webapi.testing.Http;
import dev.pagoda.webapi.testing.NodeClients;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Node OpenAI SDK, LangChain JS ({@code bindTools}) and the Vercel AI SDK ({@code tools}) get
 * tool calls from the real server for {@code tool_choice} {@code auto} (Qwen's hermes format,
 * parsed by {@code --tool-call-parser hermes}), {@code required} and a named function, whole and
 * streamed, each through the client's own accumulation of the stream; and a tool's result sent back
 * by the client reaches the model. A scripted engine writes what a model would (no random model ever
 * writes a tool call): the call in hermes markup for {@code auto}, and for {@code required} and named
 * choices the JSON their grammar would force, chosen by the constraint the request carries.
 */
class ToolCallingSdkTest {

    static final FakeEngine ENGINE = new FakeEngine(FixtureModel.info(), 8, 8, Duration.ofMillis(1));
    static PagodaServer server;

    static final String ARGUMENTS = "{\"city\": \"Paris\", \"unit\": \"celsius\"}";
    static final String RESULT = "18 degrees";
    static final String ANSWER = "It is 18 degrees in Paris.";

    @BeforeAll
    static void start() {
        ENGINE.script(ToolCallingSdkTest::modelOutput);
        server = PagodaServer.start(ENGINE, ServerOptions.local().withToolParsing(ToolParsing.autoTools(ToolCallParsers.HERMES)));
    }

    @AfterAll
    static void stop() {
        server.close();
        ENGINE.close();
    }

    /** What the model "writes" for this request. */
    private static String modelOutput(GenerationRequest r) {
        String prompt = FixtureModel.info().tokenizer().orElseThrow().decode(r.promptTokenIds(), false);
        if (r.params().structuredOutput() instanceof StructuredOutput.JsonSchema s) {
            return s.parameter().equals("tools") ? "[{\"name\": \"get_weather\", \"parameters\": " + ARGUMENTS + "}]" : ARGUMENTS;
        }
        if (prompt.contains(RESULT)) return ANSWER;
        return "I will check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": " + ARGUMENTS + "}\n</tool_call>";
    }

    private static JsonNode run(String script) {
        String input = "{\"baseURL\": \"http://127.0.0.1:" + server.port() + "/v1\", \"model\": \"" + FixtureModel.NAME + "\"}";
        try {
            return Http.JSON.readTree(NodeClients.run(script, input));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Reads the server's address. {@code fetch} drops the {@code Accept: application/json} the OpenAI
     * SDK (and LangChain through it) sends even when streaming, which the server refuses to stream to
     * until issue 11's item 1 (the {@code openai-compat} branch) lands; remove it then.
     */
    private static final String PRELUDE = """
            let input = "";
            for await (const chunk of process.stdin) input += chunk;
            const { baseURL, model } = JSON.parse(input);
            const out = {};
            """;

    @Test
    void openAiNodeSdk() {
        JsonNode out = run("""
                import OpenAI from "openai";
                """ + PRELUDE + """
                const client = new OpenAI({ baseURL, apiKey: "sk-test", maxRetries: 0 });
                const tools = [
                  { type: "function", function: { name: "get_weather", description: "Weather in a city", parameters: {
                    type: "object", properties: { city: { type: "string" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] } },
                    required: ["city", "unit"] } } },
                  { type: "function", function: { name: "get_time", parameters: { type: "object", properties: { tz: { type: "string" } } } } }];
                const messages = [{ role: "user", content: "Weather in Paris?" }];
                const pick = (c) => ({ finish: c.finish_reason, content: c.message.content ?? "", contentNull: c.message.content === null,
                  calls: (c.message.tool_calls ?? []).map((t) => ({ id: t.id, type: t.type, name: t.function.name,
                    argumentsType: typeof t.function.arguments, args: JSON.parse(t.function.arguments) })) });
                const choices = { auto: "auto", required: "required", named: { type: "function", function: { name: "get_weather" } } };
                for (const [name, tool_choice] of Object.entries(choices)) {
                  const whole = await client.chat.completions.create({ model, messages, tools, tool_choice });
                  // The SDK's own stream helper puts the deltas together.
                  const streamed = await client.chat.completions.stream({ model, messages, tools, tool_choice }).finalChatCompletion();
                  out[name] = { whole: pick(whole.choices[0]), streamed: pick(streamed.choices[0]) };
                }
                const first = await client.chat.completions.create({ model, messages, tools });
                const call = first.choices[0].message.tool_calls[0];
                const second = await client.chat.completions.create({ model, tools,
                  messages: [...messages, first.choices[0].message, { role: "tool", tool_call_id: call.id, content: "%s" }] });
                out.roundTrip = second.choices[0].message.content;
                process.stdout.write(JSON.stringify(out));
                """.formatted(RESULT));
        assertAnswers(out, "tool_calls", (choice, r) -> {
            assertEquals(!choice.equals("auto"), r.get("contentNull").asBoolean(), "content is null beside forced calls, as OpenAI sends it");
            assertEquals("function", r.at("/calls/0/type").asText());
            assertEquals("string", r.at("/calls/0/argumentsType").asText());
            assertTrue(r.at("/calls/0/id").asText().startsWith("call_"), r.toString());
        });
        for (String choice : CHOICES) {
            assertNotEquals(out.at("/" + choice + "/whole/calls/0/id"), out.at("/" + choice + "/streamed/calls/0/id"), "fresh ids");
        }
        assertEquals(ANSWER, out.get("roundTrip").asText(), "the tool result reached the model through the template");
    }

    @Test
    void langChainBindTools() {
        JsonNode out = run("""
                import { ChatOpenAI } from "@langchain/openai";
                import { tool } from "@langchain/core/tools";
                import { HumanMessage } from "@langchain/core/messages";
                import { z } from "zod";
                """ + PRELUDE + """
                const llm = new ChatOpenAI({ model, apiKey: "sk-test", configuration: { baseURL }, maxRetries: 0,
                  useResponsesApi: false });
                const weather = tool(async () => "%s", { name: "get_weather", description: "Weather in a city",
                  schema: z.object({ city: z.string(), unit: z.enum(["celsius", "fahrenheit"]) }) });
                const time = tool(async () => "noon", { name: "get_time", description: "Time in a zone", schema: z.object({ tz: z.string() }) });
                const pick = (m) => ({ content: m.content, finish: m.response_metadata?.finish_reason ?? null,
                  calls: (m.tool_calls ?? []).map((c) => ({ id: c.id, name: c.name, args: c.args })) });
                for (const [name, tool_choice] of Object.entries({ auto: "auto", required: "required", named: "get_weather" })) {
                  const bound = llm.bindTools([weather, time], { tool_choice });
                  const whole = await bound.invoke("Weather in Paris?");
                  let acc;
                  for await (const chunk of await bound.stream("Weather in Paris?")) acc = acc === undefined ? chunk : acc.concat(chunk);
                  out[name] = { whole: pick(whole), streamed: pick(acc) };
                }
                const bound = llm.bindTools([weather, time]);
                const question = new HumanMessage("Weather in Paris?");
                const ai = await bound.invoke([question]);
                const result = await weather.invoke(ai.tool_calls[0]);
                out.roundTrip = (await bound.invoke([question, ai, result])).content;
                process.stdout.write(JSON.stringify(out));
                """.formatted(RESULT));
        assertAnswers(out, "tool_calls", (choice, r) -> assertTrue(r.at("/calls/0/id").asText().startsWith("call_"), r.toString()));
        assertEquals(ANSWER, out.get("roundTrip").asText());
    }

    @Test
    void vercelAiSdkTools() {
        JsonNode out = run("""
                import { generateText, streamText, tool, stepCountIs } from "ai";
                import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
                import { z } from "zod";
                """ + PRELUDE + """
                const provider = createOpenAICompatible({ name: "pagoda", baseURL, apiKey: "sk-test" });
                const weatherInput = z.object({ city: z.string(), unit: z.enum(["celsius", "fahrenheit"]) });
                const tools = { get_weather: tool({ description: "Weather in a city", inputSchema: weatherInput }),
                  get_time: tool({ description: "Time in a zone", inputSchema: z.object({ tz: z.string() }) }) };
                const pick = (finish, content, calls) => ({ finish, content,
                  calls: calls.map((c) => ({ id: c.toolCallId, name: c.toolName, args: c.input })) });
                const choices = { auto: "auto", required: "required", named: { type: "tool", toolName: "get_weather" } };
                for (const [name, toolChoice] of Object.entries(choices)) {
                  const args = { model: provider(model), prompt: "Weather in Paris?", tools, toolChoice, maxRetries: 0 };
                  const whole = await generateText(args);
                  const s = streamText(args);
                  const errors = [];
                  for await (const part of s.fullStream) if (part.type === "error") errors.push(String(part.error));
                  out[name] = { whole: pick(whole.finishReason, whole.text, whole.toolCalls),
                    streamed: { ...pick(await s.finishReason, await s.text, await s.toolCalls), errors } };
                }
                const run = await generateText({ model: provider(model), prompt: "Weather in Paris?", maxRetries: 0, stopWhen: stepCountIs(3),
                  tools: { get_weather: tool({ description: "Weather in a city", inputSchema: weatherInput, execute: async () => "%s" }) } });
                out.roundTrip = run.text;
                out.steps = run.steps.length;
                process.stdout.write(JSON.stringify(out));
                """.formatted(RESULT));
        // The SDK parsed each call's input against its zod schema; errors in the stream would be listed.
        assertAnswers(out, "tool-calls", (choice, r) -> assertEquals(0, out.at("/" + choice + "/streamed/errors").size(), out.toString()));
        assertEquals(ANSWER, out.get("roundTrip").asText());
        assertEquals(2, out.get("steps").asInt(), "a call, then the answer to its result");
    }

    private static final List<String> CHOICES = List.of("auto", "required", "named");

    /**
     * Each client's answers, normalised by its script to {@code {finish, content, calls: [{name, args}]}},
     * whole and streamed, for every choice: one get_weather call with the arguments the model wrote;
     * the text before it for {@code auto}; {@code stop} for a named call, as OpenAI and vLLM end it.
     */
    private static void assertAnswers(JsonNode out, String toolCallsFinish, java.util.function.BiConsumer<String, JsonNode> more) {
        for (String choice : CHOICES) {
            for (String how : List.of("whole", "streamed")) {
                JsonNode r = out.at("/" + choice + "/" + how);
                String label = choice + " " + how + ": " + r;
                assertEquals(1, r.get("calls").size(), label);
                assertEquals("get_weather", r.at("/calls/0/name").asText(), label);
                assertEquals(json(ARGUMENTS), r.at("/calls/0/args"), label);
                assertEquals(choice.equals("auto") ? "I will check.\n" : "", r.get("content").asText(), label);
                assertEquals(choice.equals("named") ? "stop" : toolCallsFinish, r.get("finish").asText(), label);
                more.accept(choice, r);
            }
        }
    }

    private static JsonNode json(String s) {
        try {
            return Http.JSON.readTree(s);
        } catch (IOException e) {
            throw new AssertionError(s, e);
        }
    }
}
