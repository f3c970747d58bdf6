package dev.pagoda.webapi.openai.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One function of a request's {@code tools}.
 *
 * @param index      its place in {@code tools}, for error messages
 * @param name       what calls name it by
 * @param parameters its JSON Schema, {@code {"type": "object", "properties": {}}} when the request gave none
 * @param strict     OpenAI's {@code strict}: the schema must be enforced exactly
 */
public record Tool(int index, String name, ObjectNode parameters, boolean strict) {

    /** The request field of this tool's schema, as errors name it. */
    String parametersParam() {
        return "tools[" + index + "].function.parameters";
    }
}
