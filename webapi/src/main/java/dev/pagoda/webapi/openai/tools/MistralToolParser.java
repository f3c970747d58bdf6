package dev.pagoda.webapi.openai.tools;

import dev.pagoda.webapi.openai.reasoning.PartialMarker;
import java.util.ArrayList;
import java.util.List;

/**
 * vLLM's {@code mistral} format, both generations of it. Before tokenizer v11 one JSON list follows
 * the {@code [TOOL_CALLS]} token:
 * <pre>
 * [TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "Paris"}}, {"name": ...}]
 * </pre>
 * From v11 each call is the name and then its arguments, {@code [ARGS]} between them from v13:
 * <pre>
 * [TOOL_CALLS]get_weather[ARGS]{"city": "Paris"}[TOOL_CALLS]get_time{}
 * </pre>
 * The text before the first {@code [TOOL_CALLS]} is the content. {@code [TOOL_CALLS]} is a special
 * token, so the request is detokenized with special tokens kept ({@link ToolCallParsers#keepsSpecialTokens}); call ids
 * are Mistral's nine characters, which its templates insist on when the calls come back.
 */
final class MistralToolParser implements ToolCallParser {

    static final String BOT = "[TOOL_CALLS]";
    static final String ARGS = "[ARGS]";
    private static final List<String> ARGUMENTS = List.of("arguments");

    @Override
    public ToolCallIds ids() {
        return ToolCallIds.MISTRAL;
    }

    @Override
    public ParsedOutput parse(String text, boolean complete) {
        int first = text.indexOf(BOT);
        if (first < 0) return ParsedOutput.content(PartialMarker.safePrefix(text, BOT, complete));
        String content = text.substring(0, first);
        int at = Markup.skipSpace(text, first + BOT.length());
        if (at == text.length()) return HermesToolParser.unfinished(text, content, List.of(), complete);
        char c = text.charAt(at);
        return c == '[' || c == '{' ? jsonList(text, content, at, complete) : namedCalls(text, content, at, complete);
    }

    /** Pre-v11: a JSON list of call objects (a single object is taken as a list of one). */
    private static ParsedOutput jsonList(String text, String content, int at, boolean complete) {
        PartialJson.Result r = PartialJson.read(text, at, complete);
        PartialJson.Node root = r.root();
        List<PartialJson.Node> objects = root.kind == PartialJson.Kind.ARRAY ? root.items : List.of(root);
        List<PartialCall> calls = new ArrayList<>();
        for (PartialJson.Node o : objects) {
            PartialCall call = o.kind == PartialJson.Kind.OBJECT ? CallObject.read(text, o, ARGUMENTS, r.readUntil()) : null;
            if (call == null) return HermesToolParser.unfinished(text, content, calls, complete);
            calls.add(call);
        }
        if (!root.complete() || calls.isEmpty()) return HermesToolParser.unfinished(text, content, calls, complete);
        return new ParsedOutput(content, calls, false);
    }

    /** v11 and later: {@code name[ARGS]{...}} or {@code name{...}}, each after its own {@code [TOOL_CALLS]} (or a comma). */
    private static ParsedOutput namedCalls(String text, String content, int at, boolean complete) {
        List<PartialCall> calls = new ArrayList<>();
        while (true) {
            int nameEnd = at;
            while (nameEnd < text.length() && isNameChar(text.charAt(nameEnd))) nameEnd++;
            if (nameEnd == at) return HermesToolParser.unfinished(text, content, calls, complete);
            int args = nameEnd;
            if (text.startsWith(ARGS, args)) {
                args += ARGS.length();
            } else if (Markup.startOf(text, args, ARGS) && args < text.length()) {
                return HermesToolParser.unfinished(text, content, calls, complete); // "[AR" may become [ARGS]
            }
            args = Markup.skipSpace(text, args);
            if (args == text.length()) {
                // The name is whole once something follows it; until then it may still grow.
                if (args > nameEnd && !complete) calls.add(new PartialCall(text.substring(at, nameEnd), "", false));
                return HermesToolParser.unfinished(text, content, calls, complete);
            }
            if (text.charAt(args) != '{') return HermesToolParser.unfinished(text, content, calls, complete);
            PartialJson.Result r = PartialJson.read(text, args, complete);
            PartialJson.Node object = r.root();
            String name = text.substring(at, nameEnd);
            if (!object.complete()) {
                calls.add(new PartialCall(name, text.substring(object.start, Math.max(object.start, r.readUntil())), false));
                return HermesToolParser.unfinished(text, content, calls, complete);
            }
            calls.add(new PartialCall(name, text.substring(object.start, object.end), true));
            int next = Markup.skipSpace(text, object.end);
            if (text.startsWith(BOT, next)) {
                at = Markup.skipSpace(text, next + BOT.length());
            } else if (next < text.length() && text.charAt(next) == ',') {
                at = Markup.skipSpace(text, next + 1);
            } else {
                return new ParsedOutput(content, calls, false);
            }
            if (at == text.length()) return new ParsedOutput(content, calls, false);
        }
    }

    /** vLLM's pattern for v11 function names: letters, digits, '_' and '-'. */
    private static boolean isNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-';
    }
}
