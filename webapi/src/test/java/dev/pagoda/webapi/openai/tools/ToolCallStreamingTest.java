package dev.pagoda.webapi.openai.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pagoda.catalog.tokenizer.IncrementalDetokenizer;
import dev.pagoda.catalog.tokenizer.Tokenizer;
import dev.pagoda.webapi.openai.reasoning.ReasoningParsers;
import dev.pagoda.webapi.openai.tools.RandomToolOutputs.Format;
import dev.pagoda.webapi.testing.FixtureModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Property test of streamed tool calls: for random outputs in every format (the truth written down
 * by {@link RandomToolOutputs} as it made them), the whole answer holds that truth, and the stream
 * of the same text, cut where a real tokenizer's detokenizer cuts it (1 to 3 tokens a step) or at
 * random characters, adds up exactly to the whole answer: the same content and reasoning, the same
 * calls with the same arguments text. Each call's first piece carries its id, type and name, later
 * ones only arguments, and no markup ever shows as content.
 */
class ToolCallStreamingTest {

    private static final int SEEDS = 100;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Tokenizer TOKENIZER = FixtureModel.info().tokenizer().orElseThrow();

    @Test
    void streamedPiecesAddUpToTheWholeAnswer() {
        int calls = 0;
        for (Format format : Format.values()) {
            for (int seed = 0; seed < SEEDS; seed++) {
                String label = format + " seed " + seed;
                RandomToolOutputs gen = new RandomToolOutputs(seed * 7919L + format.ordinal());
                boolean constrained = format == Format.REQUIRED || format == Format.NAMED;
                boolean reasoning = !constrained && seed % 3 == 0;
                RandomToolOutputs.Output o = !constrained && seed % 5 == 4 ? gen.withoutCalls(format, reasoning) : gen.withCalls(format, reasoning);
                AssistantOutput output = outputFor(format, o, reasoning, true);

                AssistantOutput.Message whole = output.whole(o.text());
                assertMeans(o, format, whole, label);
                calls += whole.toolCalls().size();

                Random split = new Random(seed);
                assertStreamEquals(whole, stream(output, tokenPieces(o.text(), split), !o.calls().isEmpty(), label), label + " (token cuts)");
                assertStreamEquals(whole, stream(output, charPieces(o.text(), split), !o.calls().isEmpty(), label), label + " (character cuts)");
            }
        }
        assertTrue(calls > Format.values().length * SEEDS, "the outputs held calls: " + calls);
    }

    @Test
    void withoutParallelCallsOnlyTheFirstCallCounts() {
        for (Format format : List.of(Format.HERMES, Format.LLAMA3_JSON, Format.MISTRAL_NAMED, Format.REQUIRED)) {
            for (int seed = 0; seed < 40; seed++) {
                String label = format + " seed " + seed;
                RandomToolOutputs.Output o = new RandomToolOutputs(seed).withCalls(format, false);
                AssistantOutput output = outputFor(format, o, false, false);
                AssistantOutput.Message whole = output.whole(o.text());
                assertEquals(1, whole.toolCalls().size(), label);
                assertEquals(o.calls().getFirst().name(), whole.toolCalls().getFirst().function().name(), label);
                assertStreamEquals(whole, stream(output, tokenPieces(o.text(), new Random(seed)), true, label), label);
            }
        }
    }

    private static AssistantOutput outputFor(Format format, RandomToolOutputs.Output o, boolean reasoning, boolean parallel) {
        List<Tool> tools = new ArrayList<>();
        for (String name : RandomToolOutputs.TOOL_NAMES) {
            ObjectNode schema = JSON.createObjectNode().put("type", "object");
            tools.add(new Tool(tools.size(), name, schema, false));
        }
        ToolChoice choice = switch (format) {
            case REQUIRED -> new ToolChoice.Required();
            case NAMED -> new ToolChoice.Named(o.calls().getFirst().name());
            default -> new ToolChoice.Auto();
        };
        String parser = switch (format) {
            case LLAMA3_JSON -> ToolCallParsers.LLAMA3_JSON;
            case MISTRAL_LIST, MISTRAL_NAMED -> ToolCallParsers.MISTRAL;
            default -> ToolCallParsers.HERMES;
        };
        ToolParsing server = new ToolParsing(true, Optional.of(parser), reasoning ? Optional.of(ReasoningParsers.QWEN3) : Optional.empty());
        return AssistantOutput.forRequest(new ToolRequest(tools, List.of(), choice, parallel), server, Map.of());
    }

    /** The whole answer says what the output was made to say. */
    private static void assertMeans(RandomToolOutputs.Output o, Format format, AssistantOutput.Message m, String label) {
        assertEquals(o.reasoning() == null || o.reasoning().isEmpty() ? null : o.reasoning(), m.reasoningContent(), label + ": reasoning");
        // Formats without content around their calls swallow the whitespace before them.
        boolean contentless = !o.calls().isEmpty() && (format == Format.LLAMA3_JSON || format == Format.REQUIRED || format == Format.NAMED);
        String content = contentless ? "" : o.content();
        assertEquals(content.isEmpty() && !o.calls().isEmpty() ? null : content, m.content(), label + ": content\n" + o.text());
        assertEquals(o.calls().size(), m.toolCalls().size(), label + ": calls in\n" + o.text());
        for (int i = 0; i < o.calls().size(); i++) {
            ToolCallJson c = m.toolCalls().get(i);
            assertEquals(o.calls().get(i).name(), c.function().name(), label);
            assertEquals(o.calls().get(i).arguments(), json(c.function().arguments()), label + ": arguments of call " + i);
            assertEquals("function", c.type());
            assertFalse(c.id().isEmpty());
        }
    }

    private record StreamedCall(String id, String name, StringBuilder arguments) {}

    private record Streamed(String reasoning, String content, List<StreamedCall> calls, boolean calledTools) {}

    private static Streamed stream(AssistantOutput output, List<String> pieces, boolean hasCalls, String label) {
        AssistantOutput.Stream s = output.stream();
        StringBuilder reasoning = new StringBuilder();
        StringBuilder content = new StringBuilder();
        Map<Integer, StreamedCall> calls = new LinkedHashMap<>();
        for (int i = 0; i < pieces.size(); i++) {
            boolean last = i == pieces.size() - 1;
            AssistantOutput.Delta d = last ? s.finish(pieces.get(i)) : s.next(pieces.get(i));
            if (d.reasoningContent() != null) reasoning.append(d.reasoningContent());
            if (d.content() != null) {
                assertFalse(d.content().isEmpty(), label + ": empty content pieces are left out");
                if (hasCalls) {
                    for (String marker : RandomToolOutputs.MARKERS) assertFalse(d.content().contains(marker), label + ": markup in " + d.content());
                }
                content.append(d.content());
            }
            if (d.toolCalls() == null) continue;
            for (ToolCallJson.Delta t : d.toolCalls()) {
                StreamedCall c = calls.get(t.index());
                if (c == null) {
                    assertEquals(calls.size(), t.index(), label + ": calls start in order");
                    assertNotNull(t.id(), label + ": a call's first piece has its id");
                    assertEquals("function", t.type());
                    assertNotNull(t.function().name(), label + ": ... and its name");
                    calls.put(t.index(), new StreamedCall(t.id(), t.function().name(), new StringBuilder(t.function().arguments())));
                } else {
                    assertNull(t.id(), label);
                    assertNull(t.function().name(), label + ": the name is sent once");
                    c.arguments().append(t.function().arguments());
                }
            }
        }
        return new Streamed(reasoning.toString(), content.toString(), List.copyOf(calls.values()), s.calledTools());
    }

    private static void assertStreamEquals(AssistantOutput.Message whole, Streamed streamed, String label) {
        assertEquals(whole.reasoningContent() == null ? "" : whole.reasoningContent(), streamed.reasoning(), label + ": reasoning");
        assertEquals(whole.content() == null ? "" : whole.content(), streamed.content(), label + ": content");
        assertEquals(whole.toolCalls().size(), streamed.calls().size(), label + ": calls");
        for (int i = 0; i < whole.toolCalls().size(); i++) {
            assertEquals(whole.toolCalls().get(i).function().name(), streamed.calls().get(i).name(), label);
            assertEquals(whole.toolCalls().get(i).function().arguments(), streamed.calls().get(i).arguments().toString(), label);
        }
        assertEquals(!whole.toolCalls().isEmpty(), streamed.calledTools(), label);
    }

    /** The text as the engine streams it: the detokenizer's output for 1 to 3 tokens a step. */
    private static List<String> tokenPieces(String text, Random random) {
        int[] ids = TOKENIZER.encode(text, false);
        IncrementalDetokenizer detokenizer = TOKENIZER.newDetokenizer(true);
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < ids.length; ) {
            StringBuilder piece = new StringBuilder();
            for (int k = 1 + random.nextInt(3); k > 0 && i < ids.length; k--) piece.append(detokenizer.push(ids[i++]));
            pieces.add(piece.toString());
        }
        pieces.add(detokenizer.flush());
        assertEquals(text, String.join("", pieces), "the fixture tokenizer round-trips the text");
        return pieces;
    }

    private static List<String> charPieces(String text, Random random) {
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < text.length(); ) {
            int end = Math.min(text.length(), i + 1 + random.nextInt(5));
            if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) end++;
            pieces.add(text.substring(i, end));
            i = end;
        }
        pieces.add("");
        return pieces;
    }

    private static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new AssertionError("arguments are not JSON: " + s, e);
        }
    }
}
