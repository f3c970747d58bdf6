package dev.pagoda.webapi.openai.tools;

import java.util.ArrayList;
import java.util.List;

/**
 * One choice's tool calls as a stream: each time the text grows, the parser reads it again and the
 * difference to what was sent goes out, as OpenAI's {@code delta.content} and
 * {@code delta.tool_calls} pieces. The pieces add up to what the non-streamed answer holds, because
 * a parser's reading only ever grows (see {@link ParsedOutput}); markup is never sent as content.
 */
final class ToolCallStream {

    /** What one step adds: content text ("" for none) and call pieces. */
    record Update(String content, List<ToolCallJson.Delta> toolCalls) {}

    private final ToolCallParser parser;
    private final int maxCalls;
    private final List<Integer> argumentsSent = new ArrayList<>();
    private int contentSent;

    ToolCallStream(ToolCallParser parser, int maxCalls) {
        this.parser = parser;
        this.maxCalls = maxCalls;
    }

    /**
     * @param text     the content text so far (the reasoning taken off)
     * @param complete no more text will come
     */
    Update next(String text, boolean complete) {
        ParsedOutput out = parser.parse(text, complete);
        if (out.failed()) {
            // Malformed call markup shows as text, if no call has gone out yet; a call sent cannot be taken back.
            return new Update(argumentsSent.isEmpty() ? newContent(text) : "", List.of());
        }
        String content = newContent(out.content());
        List<ToolCallJson.Delta> pieces = new ArrayList<>();
        List<PartialCall> calls = out.calls();
        for (int i = 0; i < Math.min(calls.size(), maxCalls); i++) {
            PartialCall c = calls.get(i);
            if (i == argumentsSent.size()) {
                pieces.add(new ToolCallJson.Delta(i, parser.ids().next(), ToolCallJson.FUNCTION,
                        new ToolCallJson.FunctionDelta(c.name(), c.arguments())));
                argumentsSent.add(c.arguments().length());
            } else if (c.arguments().length() > argumentsSent.get(i)) {
                pieces.add(new ToolCallJson.Delta(i, null, null,
                        new ToolCallJson.FunctionDelta(null, c.arguments().substring(argumentsSent.get(i)))));
                argumentsSent.set(i, c.arguments().length());
            }
        }
        return new Update(content, pieces);
    }

    /** Whether any call has been sent. */
    boolean calledTools() {
        return !argumentsSent.isEmpty();
    }

    private String newContent(String content) {
        if (content.length() <= contentSent) return "";
        String piece = content.substring(contentSent);
        contentSent = content.length();
        return piece;
    }
}
