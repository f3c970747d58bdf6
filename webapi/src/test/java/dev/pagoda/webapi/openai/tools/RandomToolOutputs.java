package dev.pagoda.webapi.openai.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random model outputs in each tool-call format, with what they mean written down as they are made
 * (the test's independent truth): the reasoning, the content before the calls, each call's name
 * and arguments. Arguments are random JSON whose strings hold the formats' own markup, quotes,
 * escapes and non-ASCII text; spacing and key order vary as models vary them.
 */
final class RandomToolOutputs {

    static final List<String> TOOL_NAMES = List.of("get_weather", "search_web", "get-time", "run_code2");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String[] TRICKY = {"</tool_call>", "<tool_call>", "[TOOL_CALLS]", "[ARGS]", "</think>", "{", "}", ";",
            "\"", "\\", "\n", "\t", "é", "日本", "😀", "<|python_tag|>", " ", "a", "b", "0"};

    /** The markup of every format: free text must not spell one whole. */
    static final List<String> MARKERS = List.of("<tool_call>", "</tool_call>", "[TOOL_CALLS]", "<think>", "</think>");

    enum Format { HERMES, LLAMA3_JSON, MISTRAL_LIST, MISTRAL_NAMED, REQUIRED, NAMED }

    record Call(String name, JsonNode arguments) {}

    /**
     * @param text      the model's output
     * @param reasoning the think block's text, or null without one
     * @param content   the answer text before the calls ("" for none)
     * @param calls     the calls, in order
     */
    record Output(String text, String reasoning, String content, List<Call> calls) {}

    private final Random random;

    RandomToolOutputs(long seed) {
        random = new Random(seed);
    }

    /** An output with one or more calls ({@code withReasoning}: after a think block). */
    Output withCalls(Format format, boolean withReasoning) {
        int n = format == Format.NAMED ? 1 : 1 + random.nextInt(3);
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) calls.add(new Call(pick(TOOL_NAMES), arguments()));
        String content = switch (format) {
            case HERMES, MISTRAL_LIST, MISTRAL_NAMED -> random.nextBoolean() ? "" : prose();
            default -> "";
        };
        StringBuilder text = new StringBuilder(content);
        switch (format) {
            case HERMES -> {
                for (int i = 0; i < n; i++) {
                    text.append("<tool_call>").append(space()).append(callObject(calls.get(i), "arguments")).append(space());
                    // The model may stop right after the last call's JSON.
                    if (i < n - 1 || random.nextInt(4) > 0) text.append("</tool_call>").append(i < n - 1 ? "\n" : space());
                }
            }
            case LLAMA3_JSON -> {
                if (random.nextBoolean()) text.append("<|python_tag|>");
                for (int i = 0; i < n; i++) {
                    if (i > 0) text.append(space()).append(';').append(space());
                    text.append(callObject(calls.get(i), random.nextInt(4) == 0 ? "arguments" : "parameters"));
                }
            }
            case MISTRAL_LIST -> {
                text.append("[TOOL_CALLS]").append(space()).append('[');
                for (int i = 0; i < n; i++) text.append(i > 0 ? "," + space() : "").append(callObject(calls.get(i), "arguments"));
                text.append(']');
            }
            case MISTRAL_NAMED -> {
                for (Call c : calls) {
                    text.append("[TOOL_CALLS]").append(c.name()).append(random.nextBoolean() ? "[ARGS]" : "").append(write(c.arguments()));
                }
            }
            case REQUIRED -> {
                text.append(space()).append('[');
                for (int i = 0; i < n; i++) text.append(i > 0 ? "," + space() : "").append(callObject(calls.get(i), "parameters"));
                text.append(']').append(space());
            }
            case NAMED -> text.append(space()).append(write(calls.getFirst().arguments())).append(space());
        }
        return wrap(text.toString(), content, calls, withReasoning);
    }

    /** An answer without calls that the parser must pass on whole (it may look like markup). */
    Output withoutCalls(Format format, boolean withReasoning) {
        String text = switch (format) {
            case LLAMA3_JSON -> switch (random.nextInt(3)) {
                case 0 -> prose().replaceFirst("^[\\s{<]+", "x");
                case 1 -> write(arguments()) + prose(); // JSON that names no tool
                default -> "{\"name\": \"unknown_fn\", \"parameters\": " + write(arguments()) + "}";
            };
            default -> prose() + (random.nextBoolean() ? " <tool" : " [TOOL_CALL"); // a marker's start, never finished
        };
        return wrap(text, text, List.of(), withReasoning);
    }

    private Output wrap(String answer, String content, List<Call> calls, boolean withReasoning) {
        if (!withReasoning) return new Output(answer, null, content, calls);
        String reasoning = prose().replace("</think>", "");
        String between = random.nextBoolean() ? "\n\n" : "";
        String open = random.nextBoolean() ? "<think>" : ""; // newer templates open the block in the prompt
        return new Output(open + reasoning + "</think>" + between + answer, reasoning, between + content, calls);
    }

    private String callObject(Call c, String argumentsKey) {
        ObjectNode o = NODES.objectNode();
        if (random.nextInt(4) == 0) {
            o.set(argumentsKey, c.arguments());
            o.put("name", c.name());
        } else {
            o.put("name", c.name());
            o.set(argumentsKey, c.arguments());
        }
        return write(o);
    }

    private JsonNode arguments() {
        ObjectNode o = NODES.objectNode();
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) o.set("k" + i + word(), value(2));
        return o;
    }

    private JsonNode value(int depth) {
        return switch (random.nextInt(depth > 0 ? 8 : 5)) {
            case 0 -> NODES.textNode(word());
            case 1 -> NODES.numberNode(random.nextInt(2001) - 1000);
            case 2 -> NODES.numberNode(Math.round(random.nextGaussian() * 1e4) / 100.0);
            case 3 -> NODES.booleanNode(random.nextBoolean());
            case 4 -> NODES.nullNode();
            case 5 -> {
                ArrayNode a = NODES.arrayNode();
                for (int i = random.nextInt(3); i > 0; i--) a.add(value(depth - 1));
                yield a;
            }
            default -> {
                ObjectNode o = NODES.objectNode();
                for (int i = random.nextInt(3); i > 0; i--) o.set(word().isEmpty() ? "e" + i : "k" + i, value(depth - 1));
                yield o;
            }
        };
    }

    /** JSON text with the spacing varied: compact, Python's json.dumps style, or pretty. */
    private String write(JsonNode n) {
        try {
            return switch (random.nextInt(3)) {
                case 0 -> JSON.writeValueAsString(n);
                case 1 -> JSON.writeValueAsString(n).replace("\":", "\": ").replace(",\"", ", \"");
                default -> JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n);
            };
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private String word() {
        StringBuilder s = new StringBuilder();
        for (int i = random.nextInt(5); i > 0; i--) s.append(pick(List.of(TRICKY)));
        return s.toString();
    }

    /** Free text: words, spaces, and the characters markup is made of, but no whole marker. */
    private String prose() {
        while (true) {
            StringBuilder s = new StringBuilder();
            for (int i = 1 + random.nextInt(12); i > 0; i--) {
                s.append(pick(List.of("Sure", "let me", "check", "the", "weather", "<", "[", "{", "}", "tool", "_call", ">", ".",
                        "\n", " ", "é", "😀", "2 < 3", "a;b", "<tool_cal", "[TOOL_CALLS", "</think"))).append(random.nextBoolean() ? " " : "");
            }
            String text = s.toString();
            if (MARKERS.stream().noneMatch(text::contains)) return text;
        }
    }

    private String space() {
        return pick(List.of("", " ", "\n", "\n\n", " \n"));
    }

    private <T> T pick(List<T> from) {
        return from.get(random.nextInt(from.size()));
    }
}
