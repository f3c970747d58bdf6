package dev.pagoda.webapi.openai.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pagoda.engine.structured.StructuredOutput;
import dev.pagoda.webapi.server.ApiException;
import java.util.List;
import java.util.Map;

/**
 * The JSON Schemas that make {@code tool_choice: "required"} and a named function hold: the engine
 * constrains decoding to them, so even a model that never learned tool calling writes valid calls.
 * Shaped as vLLM shapes them, so the output reads the same.
 */
final class ToolSchemas {

    static final String PARAMETERS = "parameters";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ToolSchemas() {}

    /**
     * A list of calls, each {@code {"name": <one tool's name>, "parameters": <that tool's schema>}}
     * (one {@code anyOf} branch per tool; name first, so a stream can name the call before its
     * arguments come). At least one call; at most one when parallel calls are off. The tools'
     * {@code $defs} move to the top, where their {@code #/$defs/...} references point.
     */
    static StructuredOutput required(List<Tool> tools, boolean parallel) {
        ObjectNode schema = NODES.objectNode().put("type", "array").put("minItems", 1);
        if (!parallel) schema.put("maxItems", 1);
        ObjectNode items = schema.putObject("items");
        items.put("type", "object");
        ArrayNode anyOf = items.putArray("anyOf");
        ObjectNode defs = NODES.objectNode();
        for (Tool t : tools) {
            ObjectNode parameters = t.parameters().deepCopy();
            if (parameters.get("$defs") instanceof ObjectNode own) {
                parameters.remove("$defs");
                for (Map.Entry<String, JsonNode> d : own.properties()) {
                    JsonNode earlier = defs.get(d.getKey());
                    if (earlier != null && !earlier.equals(d.getValue())) {
                        throw ApiException.invalidValue(t.parametersParam(), "Tool definition '" + d.getKey()
                                + "' has multiple schemas, which is not supported with tool_choice 'required'.");
                    }
                    defs.set(d.getKey(), d.getValue());
                }
            }
            ObjectNode branch = anyOf.addObject().put("type", "object");
            ObjectNode properties = branch.putObject("properties");
            properties.putObject("name").put("type", "string").putArray("enum").add(t.name());
            properties.set(PARAMETERS, parameters);
            branch.putArray("required").add("name").add(PARAMETERS);
            branch.put("additionalProperties", false);
        }
        if (!defs.isEmpty()) schema.set("$defs", defs);
        return new StructuredOutput.JsonSchema(schema.toString(), tools.stream().anyMatch(Tool::strict), "tools");
    }

    /** The named function's own parameters schema: the output is its arguments object. */
    static StructuredOutput named(Tool tool) {
        return new StructuredOutput.JsonSchema(tool.parameters().toString(), tool.strict(), tool.parametersParam());
    }
}
