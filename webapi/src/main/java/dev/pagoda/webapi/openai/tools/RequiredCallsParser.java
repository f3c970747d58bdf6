package dev.pagoda.webapi.openai.tools;

import java.util.ArrayList;
import java.util.List;

/**
 * The output of {@code tool_choice: "required"}: the grammar built by {@link ToolSchemas#required}
 * makes the model write a JSON list of one or more {@code {"name": ..., "parameters": {...}}}, and
 * nothing else, so every call is read from it and there is no content.
 */
final class RequiredCallsParser implements ToolCallParser {

    private static final List<String> ARGUMENTS = List.of(ToolSchemas.PARAMETERS);

    @Override
    public ParsedOutput parse(String text, boolean complete) {
        PartialJson.Result r = PartialJson.read(text, 0, complete);
        PartialJson.Node root = r.root();
        if (root == null || root.kind != PartialJson.Kind.ARRAY) return HermesToolParser.unfinished(text, "", List.of(), complete);
        List<PartialCall> calls = new ArrayList<>();
        for (PartialJson.Node item : root.items) {
            PartialCall call = item.kind == PartialJson.Kind.OBJECT ? CallObject.read(text, item, ARGUMENTS, r.readUntil()) : null;
            if (call == null) return HermesToolParser.unfinished(text, "", calls, complete);
            calls.add(call);
        }
        if (!root.complete() || calls.isEmpty()) return HermesToolParser.unfinished(text, "", calls, complete);
        return new ParsedOutput("", calls, false);
    }
}
