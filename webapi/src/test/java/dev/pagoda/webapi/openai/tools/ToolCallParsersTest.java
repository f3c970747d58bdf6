package dev.pagoda.webapi.openai.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.webapi.openai.reasoning.ReasoningParsers;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The three auto-tool-choice formats on outputs written the way the models write them (the shapes
 * of vLLM's own parser tests), read whole: the content, each call's name and arguments (compared as
 * JSON values), and what is left as text when the markup is broken.
 */
class ToolCallParsersTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TOOLS = Set.of("get_weather", "get_time", "search");

    private static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }

    private static void assertCalls(ParsedOutput out, String content, List<Map.Entry<String, String>> calls) {
        assertFalse(out.failed(), "parsed: " + out);
        assertEquals(content, out.content());
        assertEquals(calls.size(), out.calls().size(), "calls: " + out.calls());
        for (int i = 0; i < calls.size(); i++) {
            PartialCall c = out.calls().get(i);
            assertEquals(calls.get(i).getKey(), c.name());
            assertEquals(json(calls.get(i).getValue()), json(c.arguments()), "arguments of call " + i);
            assertTrue(c.complete());
        }
    }

    @Test
    void hermesAsQwenWritesIt() {
        var parser = new HermesToolParser();
        String qwen = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"unit\": \"celsius\"}}\n</tool_call>\n"
                + "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {\"tz\": \"Europe/Paris\"}}\n</tool_call>";
        assertCalls(parser.parse(qwen, true), "", List.of(Map.entry("get_weather", "{\"city\": \"Paris\", \"unit\": \"celsius\"}"),
                Map.entry("get_time", "{\"tz\": \"Europe/Paris\"}")));
        // The arguments are passed on exactly as written.
        assertEquals("{\"city\": \"Paris\", \"unit\": \"celsius\"}", parser.parse(qwen, true).calls().getFirst().arguments());

        assertCalls(parser.parse("Let me check.\n<tool_call>{\"arguments\": {\"q\": \"a \\\"b\\\" </tool_call>\"}, \"name\": \"search\"}</tool_call>", true),
                "Let me check.\n", List.of(Map.entry("search", "{\"q\": \"a \\\"b\\\" </tool_call>\"}")));
        assertCalls(parser.parse("<tool_call>\n{\"name\": \"get_time\"}\n</tool_call>", true), "", List.of(Map.entry("get_time", "{}")));
        assertCalls(parser.parse("<tool_call>{\"name\": \"get_time\", \"arguments\": {}}", true), "", List.of(Map.entry("get_time", "{}")));
        assertCalls(parser.parse("<tool_call>{\"name\": \"search\", \"arguments\": \"{\\\"q\\\": 1}\"}</tool_call>", true), "",
                List.of(Map.entry("search", "{\"q\": 1}")));
        assertCalls(parser.parse("No tools needed: 2 < 3 and {\"a\": 1}.", true), "No tools needed: 2 < 3 and {\"a\": 1}.", List.of());
    }

    @Test
    void brokenHermesCallsAreText() {
        var parser = new HermesToolParser();
        for (String broken : List.of("Sure <tool_call>{\"name\": \"get_time\", \"arguments\": {\"x\": }}</tool_call>",
                "<tool_call>{\"name\": \"get_time\", \"arguments\": {\"x\": 1}", // cut off (finish_reason length)
                "<tool_call>{\"arguments\": {}}</tool_call>",
                "<tool_call>{\"name\": \"get_time\"}} junk</tool_call>",
                "<tool_call>")) {
            ParsedOutput out = parser.parse(broken, true);
            assertTrue(out.failed(), broken);
            assertEquals(broken, out.content());
        }
    }

    @Test
    void llama3JsonAsLlamaWritesIt() {
        var parser = new Llama3JsonToolParser(TOOLS);
        assertCalls(parser.parse("{\"name\": \"get_weather\", \"parameters\": {\"city\": \"San Francisco\"}}", true), "",
                List.of(Map.entry("get_weather", "{\"city\": \"San Francisco\"}")));
        assertCalls(parser.parse("<|python_tag|>{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}; "
                + "{\"name\": \"get_time\", \"arguments\": {\"tz\": \"CET\"}}", true), "",
                List.of(Map.entry("get_weather", "{\"city\": \"Paris\"}"), Map.entry("get_time", "{\"tz\": \"CET\"}")));
        assertCalls(parser.parse("  {\"type\": \"function\", \"parameters\": {\"q\": [1, 2]}, \"name\": \"search\"}", true), "",
                List.of(Map.entry("search", "{\"q\": [1, 2]}")));
        // Plain JSON, or JSON naming no tool of the request, is the answer itself.
        for (String answer : List.of("{\"name\": \"Bob\", \"age\": 3}", "{\"answer\": 42}", "The answer is {\"a\": 1}", "{broken")) {
            assertCalls(parser.parse(answer, true), answer, List.of());
        }
        assertTrue(parser.parse("{\"name\": \"get_time\", \"parameters\": {\"tz\": ", true).failed(), "a call cut short");
    }

    @Test
    void mistralBothGenerations() {
        var parser = new MistralToolParser();
        assertCalls(parser.parse("[TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Dallas\", \"state\": \"TX\"}}, "
                + "{\"name\": \"get_time\", \"arguments\": {}}]", true), "",
                List.of(Map.entry("get_weather", "{\"city\": \"Dallas\", \"state\": \"TX\"}"), Map.entry("get_time", "{}")));
        assertCalls(parser.parse("I will check.[TOOL_CALLS]get_weather[ARGS]{\"city\": \"Dallas\"}[TOOL_CALLS]get_time[ARGS]{}", true),
                "I will check.", List.of(Map.entry("get_weather", "{\"city\": \"Dallas\"}"), Map.entry("get_time", "{}")));
        assertCalls(parser.parse("[TOOL_CALLS]search{\"q\": \"x\"}", true), "", List.of(Map.entry("search", "{\"q\": \"x\"}")));
        assertCalls(parser.parse("No call here [TOOL_CALLS", true), "No call here [TOOL_CALLS", List.of());
        assertTrue(parser.parse("[TOOL_CALLS]get_weather[ARGS]{\"city\"", true).failed());
        assertEquals(9, parser.ids().next().length());
        assertTrue(parser.ids().next().chars().allMatch(Character::isLetterOrDigit));
    }

    @Test
    void constrainedOutputs() {
        assertCalls(new RequiredCallsParser().parse(" [{\"name\": \"get_time\", \"parameters\": {\"tz\": \"UTC\"}}, "
                + "{\"name\": \"search\", \"parameters\": {\"q\": \"a\"}}] ", true), "",
                List.of(Map.entry("get_time", "{\"tz\": \"UTC\"}"), Map.entry("search", "{\"q\": \"a\"}")));
        assertTrue(new RequiredCallsParser().parse("[]", true).failed());
        assertTrue(new RequiredCallsParser().parse("[{\"name\": \"get_time\", \"parameters\": {", true).failed());
        assertCalls(new NamedCallParser("search").parse("\n {\"q\": \"a b\"} \n", true), "", List.of(Map.entry("search", "{\"q\": \"a b\"}")));
    }

    @Test
    void reasoningThenCalls() {
        ToolRequest request = new ToolRequest(List.of(), List.of(), new ToolChoice.Auto(), true);
        var output = AssistantOutput.forRequest(request, ToolParsing.autoTools("hermes").withReasoningParser(ReasoningParsers.QWEN3), Map.of());
        var m = output.whole("<think>\nThe user wants the time.\n</think>\n\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>");
        assertEquals("\nThe user wants the time.\n", m.reasoningContent());
        assertEquals("\n\n", m.content(), "vLLM keeps the text between the blocks as content");
        assertEquals(1, m.toolCalls().size());
        assertEquals("get_time", m.toolCalls().getFirst().function().name());
        assertTrue(m.toolCalls().getFirst().id().startsWith("call_"));

        var cut = output.whole("Thinking without end");
        assertEquals("Thinking without end", cut.reasoningContent());
        assertNull(cut.content());

        ToolRequest noTools = new ToolRequest(List.of(), null, new ToolChoice.None(), true);
        var off = AssistantOutput.forRequest(noTools, ToolParsing.NONE.withReasoningParser(ReasoningParsers.QWEN3),
                Map.of("enable_thinking", false));
        assertNull(off.whole("Just the answer").reasoningContent());
        assertEquals("Just the answer", off.whole("Just the answer").content());

        // A forced call's grammar leaves no room for a think block: its JSON is the call, not reasoning.
        ToolRequest required = new ToolRequest(List.of(new Tool(0, "get_time", JSON.createObjectNode().put("type", "object"), false)),
                List.of(), new ToolChoice.Required(), true);
        var forced = AssistantOutput.forRequest(required, ToolParsing.NONE.withReasoningParser(ReasoningParsers.QWEN3), Map.of())
                .whole("[{\"name\": \"get_time\", \"parameters\": {}}]");
        assertNull(forced.reasoningContent());
        assertEquals("get_time", forced.toolCalls().getFirst().function().name());

        var r1 = AssistantOutput.forRequest(noTools,
                new ToolParsing(false, Optional.empty(), Optional.of(ReasoningParsers.DEEPSEEK_R1)), Map.of());
        var answer = r1.whole("Okay, 2+2 is 4.</think>The answer is 4.");
        assertEquals("Okay, 2+2 is 4.", answer.reasoningContent());
        assertEquals("The answer is 4.", answer.content());
        assertTrue(answer.toolCalls().isEmpty());
    }
}
