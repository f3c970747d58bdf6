package dev.pagoda.webapi.openai.tools;

import dev.pagoda.webapi.openai.reasoning.PartialMarker;
import java.util.ArrayList;
import java.util.List;

/**
 * vLLM's {@code hermes} format (Hermes 2 Pro, Qwen2.5, Qwen3): each call a JSON object between tags,
 * <pre>
 * Some text.&lt;tool_call&gt;
 * {"name": "get_weather", "arguments": {"city": "Paris"}}
 * &lt;/tool_call&gt;
 * </pre>
 * The text before the first tag is the content; text between and after calls is dropped, as vLLM's
 * non-streaming parser does. The last call may lack its closing tag (the model stopped right after
 * the JSON).
 */
final class HermesToolParser implements ToolCallParser {

    static final String START = "<tool_call>";
    static final String END = "</tool_call>";
    private static final List<String> ARGUMENTS = List.of("arguments");

    @Override
    public ParsedOutput parse(String text, boolean complete) {
        int first = text.indexOf(START);
        if (first < 0) return ParsedOutput.content(PartialMarker.safePrefix(text, START, complete));
        String content = text.substring(0, first);
        List<PartialCall> calls = new ArrayList<>();
        for (int at = first; at >= 0; ) {
            PartialJson.Result r = PartialJson.read(text, at + START.length(), complete);
            PartialJson.Node object = r.root();
            if (object == null || object.kind != PartialJson.Kind.OBJECT) return unfinished(text, content, calls, complete);
            PartialCall call = CallObject.read(text, object, ARGUMENTS, r.readUntil());
            if (call == null) return unfinished(text, content, calls, complete);
            calls.add(call);
            if (!call.complete()) return unfinished(text, content, calls, complete);
            int after = Markup.skipSpace(text, object.end);
            if (after == text.length() || Markup.startOf(text, after, END)) break; // closing tag missing or on its way
            if (!text.startsWith(END, after)) return unfinished(text, content, calls, complete); // junk after the JSON
            at = text.indexOf(START, after + END.length());
        }
        return new ParsedOutput(content, calls, false);
    }

    /** Stop reading here: while text still comes, the calls so far stand; a final text is malformed. */
    static ParsedOutput unfinished(String text, String content, List<PartialCall> calls, boolean complete) {
        return complete ? ParsedOutput.failed(text) : new ParsedOutput(content, calls, false);
    }
}
