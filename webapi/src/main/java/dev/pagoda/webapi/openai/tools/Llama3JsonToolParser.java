package dev.pagoda.webapi.openai.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * vLLM's {@code llama3_json} format (Llama 3.1 / 3.2 with JSON tool calling): the whole reply is the
 * calls, optionally after {@code <|python_tag|>}, several separated by {@code ;}:
 * <pre>
 * {"name": "get_weather", "parameters": {"city": "Paris"}}; {"name": "get_time", "parameters": {}}
 * </pre>
 * Nothing marks a call but its shape, and a model may well answer in plain JSON, so a reply counts
 * as calls only when its first object names one of the request's tools; anything else is content.
 * While that is undecided (the object is still being written and its name has not come) nothing is
 * shown. Text after the calls is dropped, as vLLM does.
 */
final class Llama3JsonToolParser implements ToolCallParser {

    static final String PYTHON_TAG = "<|python_tag|>";
    private static final List<String> ARGUMENTS = List.of("parameters", "arguments");

    private final Set<String> toolNames;

    Llama3JsonToolParser(Set<String> toolNames) {
        this.toolNames = Set.copyOf(toolNames);
    }

    @Override
    public ParsedOutput parse(String text, boolean complete) {
        int at = Markup.skipSpace(text, 0);
        if (text.startsWith(PYTHON_TAG, at)) {
            at = Markup.skipSpace(text, at + PYTHON_TAG.length());
        } else if (!complete && Markup.startOf(text, at, PYTHON_TAG)) {
            return ParsedOutput.content(""); // perhaps the tag, perhaps text: wait
        }
        if (at == text.length()) return ParsedOutput.content(complete ? text : "");
        if (text.charAt(at) != '{') return ParsedOutput.content(text);

        List<PartialCall> calls = new ArrayList<>();
        while (true) {
            PartialJson.Result r = PartialJson.read(text, at, complete);
            PartialJson.Node object = r.root();
            String name = object == null || object.kind != PartialJson.Kind.OBJECT ? null : CallObject.name(object);
            boolean decided = complete || name != null || (object != null && object.complete());
            if (name == null || !toolNames.contains(name)) {
                if (!decided) return calls.isEmpty() ? ParsedOutput.content("") : new ParsedOutput("", calls, false);
                // Not a call: the reply is plain text, or the calls end here.
                return calls.isEmpty() ? ParsedOutput.content(text) : new ParsedOutput("", calls, false);
            }
            PartialCall call = CallObject.read(text, object, ARGUMENTS, r.readUntil());
            calls.add(call);
            if (!call.complete()) return complete ? ParsedOutput.failed(text) : new ParsedOutput("", calls, false);
            int next = Markup.skipSpace(text, object.end);
            if (next == text.length() || text.charAt(next) != ';') return new ParsedOutput("", calls, false);
            at = Markup.skipSpace(text, next + 1);
            if (at == text.length() || text.charAt(at) != '{') return new ParsedOutput("", calls, false);
        }
    }
}
